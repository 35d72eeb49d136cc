"""Complaints of sexual exploitation and abuse: the parts that need no Django
(receipt codes, the chain of custody, the sealed evidence bundle)."""
