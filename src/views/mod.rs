//! What vpcgen shows besides the generated code, each a view of a stage's output: the plan
//! report with its cost estimate (`vpcgen plan`), the diagram, the catalogue and template
//! listings (`vpcgen services`, `vpcgen templates list`) and the starter spec (`vpcgen init`).

pub mod cost;
pub mod diagram;
pub mod listing;
pub mod report;
pub mod starter;
