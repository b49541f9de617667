"""Channel adapters: each sends rendered messages over one transport (SMS gateway, SMTP,
print batch) behind the small interface of ``channels.base``."""
