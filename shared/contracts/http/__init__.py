"""The services' internal HTTP APIs as contracts: per service, the request and response models and
the calls (``Endpoint``) that the service's routes declare and the gateway's clients use."""
