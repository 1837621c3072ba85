// Filled by the notices work in progress.
