"""Test doubles of the world outside Arrears, kept with the tests and never installed.

``sms_gateway`` is a local fake of the SMS gateways (Alibaba Cloud's dysmsapi and the
generic JSON gateway) over real HTTP; the tests start it in process and ``arrears bench
outreach`` starts it as a process from the source checkout.
"""
