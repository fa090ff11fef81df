"""What the mail provider says after a send: bounces, complaints and deliveries, and what they
suppress."""
