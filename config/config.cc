// Implemented by the config work in progress.
