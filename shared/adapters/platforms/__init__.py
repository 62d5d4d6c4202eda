"""Platform connectors: HubSpot, Shopify and NetSuite over their real HTTP APIs.

Import the modules you need (``shared.adapters.platforms.hubspot`` ...); this package imports
nothing eagerly so that the budget and the connectors can import each other's pieces freely.
"""
