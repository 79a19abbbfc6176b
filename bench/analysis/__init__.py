"""Pure DataFrame functions over results stores; never imports models or libraries."""
