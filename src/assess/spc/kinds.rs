//! The words of the charts: which chart ([`ChartKind`]) and what it plots
//! ([`Statistic`]), which rules judge it ([`RuleSet`], [`Rule`]), and how
//! each is said to a person.

use crate::model::vocab;

vocab!(
    /// Which chart: the classical p-chart or Laney's p′ (limits scaled by
    /// `σ_z` when lots vary more, or less, than binomially); np (counts, one
    /// lot size); the u-chart of defects per unit, or Laney's u′.
    ChartKind { P = "p", Laney = "laney", Np = "np", U = "u", LaneyU = "laney-u" }
);

/// What a chart plots per lot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Statistic {
    /// p: nonconforming units / units started.
    Fraction,
    /// np: nonconforming units (every lot the same size).
    Count,
    /// u: defects counted / units started.
    Rate,
}

impl Statistic {
    /// The statistic's name, as JSON and CSV spell the per-lot value.
    pub fn name(self) -> &'static str {
        match self {
            Self::Fraction => "p",
            Self::Count => "np",
            Self::Rate => "u",
        }
    }

    /// What the count of a lot is: `nonconforming` units or `defects`.
    pub fn count_name(self) -> &'static str {
        match self {
            Self::Fraction | Self::Count => "nonconforming",
            Self::Rate => "defects",
        }
    }
}

impl ChartKind {
    pub fn statistic(self) -> Statistic {
        match self {
            Self::P | Self::Laney => Statistic::Fraction,
            Self::Np => Statistic::Count,
            Self::U | Self::LaneyU => Statistic::Rate,
        }
    }

    pub fn is_laney(self) -> bool {
        matches!(self, Self::Laney | Self::LaneyU)
    }

    /// Whether the chart counts defects (from the lots' defect codes) rather
    /// than nonconforming units.
    pub fn counts_defects(self) -> bool {
        self.statistic() == Statistic::Rate
    }

    /// A few characters: p, p′, np, u, u′.
    pub fn short(self) -> &'static str {
        match self {
            Self::P => "p",
            Self::Laney => "p′",
            Self::Np => "np",
            Self::U => "u",
            Self::LaneyU => "u′",
        }
    }

    /// The chart and how its limits are made, in words.
    pub fn describe(self) -> &'static str {
        match self {
            Self::P => "classical p-chart of the fraction nonconforming, limits p̄ ± 3σ_i",
            Self::Laney => "Laney p′ chart of the fraction nonconforming, limits p̄ ± 3σ_i·σ_z",
            Self::Np => "np-chart of nonconforming units per lot (one lot size), limits np̄ ± 3√(np̄(1−p̄))",
            Self::U => "u-chart of defects per unit, limits ū ± 3√(ū/n_i)",
            Self::LaneyU => "Laney u′ chart of defects per unit, limits ū ± 3√(ū/n_i)·σ_z",
        }
    }

    /// The next chart of the UI's cycle p → p′ → u → u′ (np, which needs
    /// one lot size, is left to the command line).
    #[must_use]
    pub fn next_in_cycle(self) -> Self {
        match self {
            Self::P => Self::Laney,
            Self::Laney => Self::U,
            Self::U => Self::LaneyU,
            Self::LaneyU | Self::Np => Self::P,
        }
    }
}

vocab!(
    /// Which run rules judge a chart. Zone rules give false alarms on
    /// attribute data, hence the shorter default.
    RuleSet { Attribute = "attribute", WesternElectric = "western-electric" }
);

vocab!(
    /// A run rule, by its stable id.
    Rule {
        Beyond3Sigma = "beyond-3-sigma",
        NineInARow = "nine-in-a-row",
        TwoOfThreeBeyond2Sigma = "two-of-three-beyond-2-sigma",
        FourOfFiveBeyond1Sigma = "four-of-five-beyond-1-sigma",
        EightInARow = "eight-in-a-row",
    }
);

impl RuleSet {
    pub fn rules(self) -> &'static [Rule] {
        match self {
            Self::Attribute => &[Rule::Beyond3Sigma, Rule::NineInARow],
            Self::WesternElectric => {
                &[Rule::Beyond3Sigma, Rule::TwoOfThreeBeyond2Sigma, Rule::FourOfFiveBeyond1Sigma, Rule::EightInARow]
            }
        }
    }
}

impl Rule {
    /// What the pattern is, in words, for a chart of `statistic`: what the
    /// rule saw, never a cause.
    pub fn saw(self) -> &'static str {
        match self {
            Self::Beyond3Sigma => "a lot outside its control limits",
            Self::NineInARow => "nine lots in a row on one side of the centre line",
            Self::EightInARow => "eight lots in a row on one side of the centre line",
            Self::TwoOfThreeBeyond2Sigma => "two of three lots in a row beyond 2σ on one side",
            Self::FourOfFiveBeyond1Sigma => "four of five lots in a row beyond 1σ on one side",
        }
    }

    /// What the rule saw, on the side it saw it, as a sentence's start:
    /// "Nine lots in a row below the centre line".
    pub fn saw_on(self, above: bool) -> String {
        let side = if above { "above" } else { "below" };
        match self {
            Self::Beyond3Sigma if above => "A lot above its upper control limit".to_owned(),
            Self::Beyond3Sigma => "A lot below its lower control limit".to_owned(),
            Self::NineInARow => format!("Nine lots in a row {side} the centre line"),
            Self::EightInARow => format!("Eight lots in a row {side} the centre line"),
            Self::TwoOfThreeBeyond2Sigma => format!("Two of three lots in a row more than 2σ {side} the centre line"),
            Self::FourOfFiveBeyond1Sigma => format!("Four of five lots in a row more than 1σ {side} the centre line"),
        }
    }

    /// A few characters for a table column or a chart label.
    pub fn mark(self) -> &'static str {
        match self {
            Self::Beyond3Sigma => "3σ",
            Self::NineInARow => "9R",
            Self::EightInARow => "8R",
            Self::TwoOfThreeBeyond2Sigma => "2/3",
            Self::FourOfFiveBeyond1Sigma => "4/5",
        }
    }
}
