//! The value number of each row of a numbered column, one to four bytes per row.

/// Value numbers stored in the narrowest integer that fits the largest so far. Most log
/// columns have fewer than 256 distinct values, so a row costs one byte per such column.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum ValueIds {
    Narrow(Vec<u8>),
    Medium(Vec<u16>),
    Wide(Vec<u32>),
}

impl Default for ValueIds {
    fn default() -> Self {
        ValueIds::Narrow(Vec::new())
    }
}

impl ValueIds {
    pub(crate) fn len(&self) -> usize {
        match self {
            ValueIds::Narrow(ids) => ids.len(),
            ValueIds::Medium(ids) => ids.len(),
            ValueIds::Wide(ids) => ids.len(),
        }
    }

    /// Returns the value number of `row`.
    pub(crate) fn get(&self, row: usize) -> u32 {
        match self {
            ValueIds::Narrow(ids) => u32::from(ids[row]),
            ValueIds::Medium(ids) => u32::from(ids[row]),
            ValueIds::Wide(ids) => ids[row],
        }
    }

    /// Appends `id`, first widening every stored number if `id` does not fit.
    pub(crate) fn push(&mut self, id: u32) {
        match self {
            ValueIds::Narrow(ids) => match u8::try_from(id) {
                Ok(id) => ids.push(id),
                Err(_) => {
                    *self = ValueIds::Medium(ids.iter().map(|id| u16::from(*id)).collect());
                    self.push(id);
                }
            },
            ValueIds::Medium(ids) => match u16::try_from(id) {
                Ok(id) => ids.push(id),
                Err(_) => {
                    *self = ValueIds::Wide(ids.iter().map(|id| u32::from(*id)).collect());
                    self.push(id);
                }
            },
            ValueIds::Wide(ids) => ids.push(id),
        }
    }

    /// Calls `visit` with every row's value number, in row order. The width is matched once,
    /// not per row, so loops over a million rows stay tight.
    pub(crate) fn for_each(&self, mut visit: impl FnMut(u32)) {
        match self {
            ValueIds::Narrow(ids) => ids.iter().for_each(|id| visit(u32::from(*id))),
            ValueIds::Medium(ids) => ids.iter().for_each(|id| visit(u32::from(*id))),
            ValueIds::Wide(ids) => ids.iter().for_each(|id| visit(*id)),
        }
    }

    /// Calls `visit` with the value number of each row of `rows`, in that order.
    pub(crate) fn for_each_at(&self, rows: &[u32], mut visit: impl FnMut(u32)) {
        match self {
            ValueIds::Narrow(ids) => rows
                .iter()
                .for_each(|row| visit(u32::from(ids[*row as usize]))),
            ValueIds::Medium(ids) => rows
                .iter()
                .for_each(|row| visit(u32::from(ids[*row as usize]))),
            ValueIds::Wide(ids) => rows.iter().for_each(|row| visit(ids[*row as usize])),
        }
    }

    pub(crate) fn shrink_to_fit(&mut self) {
        match self {
            ValueIds::Narrow(ids) => ids.shrink_to_fit(),
            ValueIds::Medium(ids) => ids.shrink_to_fit(),
            ValueIds::Wide(ids) => ids.shrink_to_fit(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_widen_and_keep_values() {
        let pushed = [0, 255, 256, 65_535, 65_536, 7, u32::MAX];
        let mut ids = ValueIds::default();
        let mut widths = Vec::new();

        for id in pushed {
            ids.push(id);
            widths.push(match ids {
                ValueIds::Narrow(_) => 1,
                ValueIds::Medium(_) => 2,
                ValueIds::Wide(_) => 4,
            });
        }

        assert_eq!(widths, [1, 1, 2, 2, 4, 4, 4]);
        assert_eq!(ids.len(), pushed.len());
        let mut visited = Vec::new();
        ids.for_each(|id| visited.push(id));
        assert_eq!(visited, pushed);
        assert_eq!(ids.get(4), 65_536);
    }
}
