//! Activation file readers (.npy, .npz, safetensors, CSV/TSV, labels) over a random-access byte source.
