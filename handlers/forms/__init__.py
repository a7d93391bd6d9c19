"""Guided report forms (/baocao, /kiemtra, /bieumau) for approved officers; see dialog.py."""
