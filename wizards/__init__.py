from . import sale_review_reject_wizard, sale_review_simulation
