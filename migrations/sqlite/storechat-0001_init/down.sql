DROP TABLE storechat_notifications;
DROP TABLE storechat_reactions;
DROP TABLE storechat_messages;
DROP TABLE storechat_conversations;
