//! What a name says: whether a member, tensor, column or file stem holds labels. Every reader
//! asks it (text headers, npz members, safetensors tensors, dropped files), so it sits below them.

/// Whether a name (member, tensor or file stem) says "labels".
pub fn is_label_name(name: &str) -> bool {
    let stem = name.rsplit('/').next().unwrap_or(name);
    let stem = stem.split('.').next().unwrap_or(stem).to_ascii_lowercase();
    const EXACT: &[&str] =
        &["y", "labels", "label", "targets", "target", "metadata", "meta", "classes", "class", "y_true", "ytrue"];
    const TOKENS: &[&str] = &["labels", "label", "targets", "target", "metadata"];
    EXACT.contains(&stem.as_str()) || stem.split(|c: char| !c.is_ascii_alphanumeric()).any(|t| TOKENS.contains(&t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_names_are_recognised() {
        for n in ["labels.npy", "y", "train_labels", "metadata.tsv", "Targets", "y_true"] {
            assert!(is_label_name(n), "{n}");
        }
        for n in ["layer1", "conv_y3", "embedding", "class_token_out"] {
            assert!(!is_label_name(n), "{n}");
        }
    }
}
