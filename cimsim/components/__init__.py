"""SimPy processes: the only place where hwmodels meets simulated time."""
