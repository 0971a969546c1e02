"""Chat history storage for an AI application: users, their conversations, the messages."""
