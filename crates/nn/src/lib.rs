#![deny(unsafe_code)]
//! Neural networks for Nightjar: multi-layer perceptron trained by backpropagation, echo-state network, and classification metrics.
