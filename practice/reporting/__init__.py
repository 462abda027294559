"""Reports and the charts the web pages share with them."""
