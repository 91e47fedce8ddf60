"""Claims domain: funding rates, hours caps, the claim status machine. Pure: stdlib + contracts."""
