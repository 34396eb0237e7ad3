//! Sorting of 64-bit keys by radix, for table sorts of up to millions of rows.

/// Below this many keys `sort_unstable` is faster than counting 8 digits of each key.
const RADIX_MIN_KEYS: usize = 4096;

/// Sorts `keys` ascending with a least-significant-digit radix sort on bytes. A byte that
/// is the same in every key costs no pass, so keys that use 40 of their 64 bits take 5
/// passes over the data instead of the about 20 comparisons per key of a comparison sort.
pub(crate) fn sort_keys(keys: &mut Vec<u64>) {
    if keys.len() < RADIX_MIN_KEYS {
        keys.sort_unstable();
        return;
    }
    let mut counts = vec![[0usize; 256]; 8];
    for key in keys.iter() {
        for (digit, count) in counts.iter_mut().enumerate() {
            count[byte_of(*key, digit)] += 1;
        }
    }
    let mut sorted = vec![0u64; keys.len()];
    for (digit, count) in counts.iter().enumerate() {
        if count.contains(&keys.len()) {
            continue;
        }
        let mut next = [0usize; 256];
        let mut total = 0;
        for (next, count) in next.iter_mut().zip(count) {
            *next = total;
            total += count;
        }
        // Keys go to their byte's bucket in the order they come, so the pass is stable
        // and the order of the lower bytes, sorted by earlier passes, holds within it.
        for key in keys.iter() {
            let bucket = &mut next[byte_of(*key, digit)];
            sorted[*bucket] = *key;
            *bucket += 1;
        }
        std::mem::swap(keys, &mut sorted);
    }
}

fn byte_of(key: u64, digit: usize) -> usize {
    usize::from((key >> (8 * digit)) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Returns `count` keys from a fixed xorshift sequence, masked to `mask`.
    fn keys(count: usize, mask: u64) -> Vec<u64> {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        (0..count)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state & mask
            })
            .collect()
    }

    #[test]
    fn radix_matches_std_sort() {
        for (count, mask) in [
            (10, u64::MAX),
            (5000, u64::MAX),
            (5000, 0xff),
            (20_000, 0x0000_00ff_0000_ffff),
            (20_000, 0),
            (70_000, 0xffff_ffff_0000_0000),
        ] {
            let mut sorted = keys(count, mask);
            let mut expected = sorted.clone();
            expected.sort_unstable();

            sort_keys(&mut sorted);

            assert_eq!(sorted, expected, "{count} keys masked to {mask:#x}");
        }
    }
}
