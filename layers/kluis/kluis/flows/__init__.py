"""The flows a job goes through: `backup`, `restore`, `system_restore`, and `failures` for any of them."""
