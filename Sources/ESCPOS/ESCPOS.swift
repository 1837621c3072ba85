// Filled by the ESC/POS work in progress.
