"""Site-wide pieces every Papyrus app shares: JSON errors (the DRF exception handler, the error
middleware, the error views) and the strict JSON parser. Imports only Django, DRF and ops."""
