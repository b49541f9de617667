"""Guarantee companies' side of a debt: the pay-out to the lender (代偿), the recourse
claim it creates (追偿) and the guarantee company's reports (docs/guarantee.md)."""
