#![deny(unsafe_code)]
//! Nightjar's intrusion detector: packet features, labelled datasets, training, evaluation and the paper's studies.
