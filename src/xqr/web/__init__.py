"""HTTP plumbing shared by every controller: sessions, guards, rendering, headers."""
