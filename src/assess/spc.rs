//! p-charts, Laney p′ and run rules (placeholder: the enums only, being written).

use crate::model::vocab;

vocab!(
    /// Which limits: the classical binomial p-chart, or Laney's p′.
    ChartKind { P = "p", Laney = "laney" }
);

vocab!(
    /// Which run rules judge a chart.
    RuleSet { Attribute = "attribute", WesternElectric = "western-electric" }
);
