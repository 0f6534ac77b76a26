"""The commercial catalog and the population mix of the sample: plans, prices, tiers, names.

Tuned so list ARR lands in the segment bands of the metric definitions (tech_touch < 15k,
low_touch 15k–100k, high_touch ≥ 100k) and the trajectory mix gives a plausible book
(trailing-12-month NRR around 110%, GRR around 90%).
"""

TIERS = ("tech", "low", "high")
TRAJECTORIES = ("healthy", "expanding", "contracting", "churning", "reactivating")
TRAJECTORY_WEIGHTS = (0.42, 0.20, 0.10, 0.22, 0.06)
CURRENCIES = ("USD", "EUR", "GBP")
PLAN_LADDER = ("platform_starter", "platform_team", "platform_business", "platform_enterprise")
# monthly list price per seat, by currency
PLAN_PRICES = {
    "platform_starter": {"USD": 29.0, "EUR": 27.0, "GBP": 23.0},
    "platform_team": {"USD": 49.0, "EUR": 45.0, "GBP": 39.0},
    "platform_business": {"USD": 79.0, "EUR": 72.0, "GBP": 63.0},
    "platform_enterprise": {"USD": 99.0, "EUR": 92.0, "GBP": 79.0},
    "premium_support": {"USD": 1500.0, "EUR": 1400.0, "GBP": 1200.0},
    "api_addon": {"USD": 200.0, "EUR": 185.0, "GBP": 160.0},
}
TIER_PLAN = {"tech": "platform_starter", "low": "platform_team", "high": "platform_business"}
# seats: lognormal median and clip range per tier, chosen so list ARR lands in the segment bands
TIER_SEATS = {"tech": (10, 3, 38), "low": (60, 28, 150), "high": (220, 110, 600)}
TIER_INTERVALS = {"tech": (0.65, 0.10, 0.25), "low": (0.25, 0.25, 0.50), "high": (0.05, 0.10, 0.85)}
DISCOUNTS = (5.0, 10.0, 12.5, 15.0, 20.0, 25.0, 30.0)
REGIONS = ("NA", "EMEA", "APAC", "LATAM")
REGION_HOUR_UTC = {"NA": 17.0, "EMEA": 11.0, "APAC": 3.5, "LATAM": 16.0}
INDUSTRIES = ("SaaS", "Health", "Fintech", "Retail", "Manufacturing", "Logistics", "Education", "Media")
# fmt: off
NAME_HEADS = (
    "Acme", "Birch", "Cobalt", "Dune", "Ember", "Fjord", "Granite", "Harbor", "Iris", "Juniper", "Kestrel",
    "Lumen", "Maple", "Nimbus", "Onyx", "Pioneer", "Quartz", "Redwood", "Summit", "Tidal", "Umber", "Vertex",
    "Willow", "Xenon", "Yarrow", "Zephyr", "Atlas", "Beacon", "Cedar", "Delta", "Echo", "Falcon", "Glacier",
    "Helix", "Indigo", "Jasper", "Keystone", "Lattice", "Meridian", "Northwind",
)
NAME_TAILS = (
    "Analytics", "Health", "Logistics", "Labs", "Foods", "Capital", "Robotics", "Media", "Energy", "Systems",
    "Partners", "Retail", "Bio", "Freight", "Learning", "Works",
)
# fmt: on
NAME_SUFFIXES = ("", "", "", "", ", Inc.", " GmbH", ", Ltd.", " AB", " Group")
HIGH_CSMS = ("dana.kim", "marco.rossi", "aisha.bello", "tom.becker")
LOW_CSMS = ("lena.fischer", "raj.patel", "sofia.garcia", "ben.okafor", "mia.chen")
TAX_RATES = {"USD": (0.0, 0.0, 0.0625, 0.08, 0.0875), "EUR": (0.0, 0.19, 0.20, 0.21), "GBP": (0.0, 0.20)}
