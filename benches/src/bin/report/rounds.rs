//! The one driver of interleaved rounds, which every measured section uses.
//!
//! A section has *rows* (ringpool and its peers) and *configurations*
//! (thread counts, capacities, job lengths). [`interleave`] runs `rounds`
//! rounds; in each round it runs every configuration, and within a
//! configuration every row once, in an order that rotates from round to
//! round (and from configuration to configuration), so that load changes on
//! a shared machine hit every row alike. It keeps each run's figure in a
//! [`Grid`], `None` where the run failed or was not run.
//!
//! A row's figure is the median over rounds; its comparison with another
//! row is the median of the per-round ratios ([`Grid::ratios`]): the two
//! rows ran back to back in the same round, so the ratio cancels what the
//! machine did to both.

use crate::stats::{fmt_ratio, median};

/// Which way a ratio is taken.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Ratio {
    /// base ÷ row ("ringpool ÷ peer": > 1 means the base row is ahead).
    BaseOverRow,
    /// row ÷ base ("queue ÷ ArrayQueue": > 1 means the row is ahead).
    RowOverBase,
}

/// Where one run sits: its round, configuration and row.
#[derive(Clone, Copy, Debug)]
pub struct Cell {
    /// 0-based round.
    pub round: usize,
    /// Index of the configuration.
    pub config: usize,
    /// Index of the row.
    pub row: usize,
}

/// Per-round figures: `cells[config][row][round]`.
#[derive(Clone, Debug)]
pub struct Grid<T> {
    cells: Vec<Vec<Vec<Option<T>>>>,
}

/// Runs `measure` for every round, configuration and row, rows in rotating
/// order; `measure` returns `None` for a failed or skipped run.
pub fn interleave<T>(
    rounds: usize,
    configs: usize,
    rows: usize,
    mut measure: impl FnMut(Cell) -> Option<T>,
) -> Grid<T> {
    let mut cells: Vec<Vec<Vec<Option<T>>>> = (0..configs)
        .map(|_| {
            (0..rows)
                .map(|_| (0..rounds).map(|_| None).collect())
                .collect()
        })
        .collect();
    for round in 0..rounds {
        for (config, by_row) in cells.iter_mut().enumerate() {
            for i in 0..rows {
                let row = (i + round + config) % rows;
                let cell = Cell { round, config, row };
                by_row[row][round] = crate::watchdog::watch(cell, || measure(cell));
            }
        }
    }
    Grid { cells }
}

impl<T> Grid<T> {
    /// One row's per-round figures in one configuration.
    pub fn runs(&self, config: usize, row: usize) -> &[Option<T>] {
        &self.cells[config][row]
    }

    /// A grid of a figure derived from each run.
    pub fn map<U>(&self, mut f: impl FnMut(&T) -> U) -> Grid<U> {
        Grid {
            cells: self
                .cells
                .iter()
                .map(|by_row| {
                    by_row
                        .iter()
                        .map(|runs| runs.iter().map(|r| r.as_ref().map(&mut f)).collect())
                        .collect()
                })
                .collect(),
        }
    }
}

impl Grid<f64> {
    /// Per-round values, NaN for a run without a figure.
    pub fn values(&self, config: usize, row: usize) -> Vec<f64> {
        self.cells[config][row]
            .iter()
            .map(|v| v.unwrap_or(f64::NAN))
            .collect()
    }

    /// The median over rounds.
    pub fn median(&self, config: usize, row: usize) -> f64 {
        median(&self.values(config, row))
    }

    /// How many runs of a row gave a figure.
    pub fn finished(&self, config: usize, row: usize) -> usize {
        self.values(config, row)
            .iter()
            .filter(|v| v.is_finite())
            .count()
    }

    /// Per-round ratios of `row` to `base` (NaN where either has no figure).
    pub fn ratios(&self, config: usize, row: usize, base: usize, way: Ratio) -> Vec<f64> {
        let rows = self.values(config, row);
        let bases = self.values(config, base);
        rows.iter()
            .zip(&bases)
            .map(|(&r, &b)| match way {
                Ratio::BaseOverRow => b / r,
                Ratio::RowOverBase => r / b,
            })
            .collect()
    }

    /// The median of the per-round ratios.
    pub fn ratio(&self, config: usize, row: usize, base: usize, way: Ratio) -> f64 {
        median(&self.ratios(config, row, base, way))
    }

    /// A ratio cell: "1.00x" on the base row itself, else the median of the
    /// per-round ratios.
    pub fn ratio_cell(&self, config: usize, row: usize, base: usize, way: Ratio) -> String {
        if row == base {
            "1.00x".into()
        } else {
            fmt_ratio(self.ratio(config, row, base, way))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cell_runs_once_in_rotating_order() {
        let mut seen = Vec::new();
        let grid = interleave(3, 2, 4, |c| {
            seen.push((c.round, c.config, c.row));
            Some((c.round * 100 + c.config * 10 + c.row) as f64)
        });
        assert_eq!(seen.len(), 3 * 2 * 4);
        // Round 1, configuration 0 starts at row 1; configuration 1 at row 2.
        assert_eq!(seen[8], (1, 0, 1));
        assert_eq!(seen[12], (1, 1, 2));
        assert_eq!(grid.values(1, 3), vec![13.0, 113.0, 213.0]);
        assert_eq!(grid.ratios(0, 2, 1, Ratio::RowOverBase)[1], 102.0 / 101.0);
        assert_eq!(grid.ratio_cell(0, 1, 1, Ratio::BaseOverRow), "1.00x");
    }

    #[test]
    fn failed_runs_are_left_out_of_medians() {
        let grid = interleave(3, 1, 2, |c| (c.round != 1).then_some(c.row as f64 + 1.0));
        assert_eq!(grid.finished(0, 0), 2);
        assert_eq!(grid.median(0, 1), 2.0);
    }
}
