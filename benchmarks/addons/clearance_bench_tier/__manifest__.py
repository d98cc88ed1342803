{
    "name": "Clearance benchmark: tier-validated peer document",
    "summary": "A document approved by eleven OCA tiers, measured against the "
               "clearance request's forward",
    "version": "11.0.1.0.0",
    "category": "Hidden",
    "license": "AGPL-3",
    "author": "clearance_request",
    "depends": ["base_tier_validation", "clearance_request"],
    "data": [
        "security/ir.model.access.csv",
        "data/tier_definition_data.xml",
    ],
    "installable": True,
}
