"""`make chaos`: a campaign on the virtual clock while services, the broker and the database are killed."""
