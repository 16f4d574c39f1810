"""Rendering: the picture as one self-contained, offline Leaflet page (folium)."""
