//! Chinese queue tickets over ESC/POS.
