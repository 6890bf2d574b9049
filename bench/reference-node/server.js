'use strict';
// Conventional reference: one Node process, socket.io with default settings,
// pg.Pool (max 10). Flow per `send`: persist (INSERT), ack, then push the
// message to the conversation room and the staff room. No batching.
//
// Usage: node server.js [port]   (or PORT=...; 0 = pick a free port)
// Connect with auth (or query) {role: 'customer', id: N} -> conversation N,
// or {role: 'staff', id: N}.

const http = require('http');
const { Server } = require('socket.io');
const { Pool } = require('pg');

const port = Number(process.argv[2] ?? process.env.PORT ?? 3000);

const pool = new Pool({
  host: '127.0.0.1',
  port: 5432,
  user: 'postgres',
  database: process.env.PGDATABASE || 'storechat_reference',
  max: 10,
});

async function migrate() {
  await pool.query(`CREATE TABLE IF NOT EXISTS ref_messages (
    id bigserial PRIMARY KEY,
    conversation_id bigint NOT NULL,
    sender_id text NOT NULL,
    client_msg_id text NOT NULL,
    body text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (sender_id, client_msg_id))`);
  await pool.query(`CREATE INDEX IF NOT EXISTS ref_messages_conv_id
    ON ref_messages (conversation_id, id)`);
}

// Persist; idempotent on (sender_id, client_msg_id). Returns {id, created}.
async function persist(conversationId, senderId, clientMsgId, body) {
  const ins = await pool.query(
    `INSERT INTO ref_messages (conversation_id, sender_id, client_msg_id, body)
     VALUES ($1, $2, $3, $4)
     ON CONFLICT (sender_id, client_msg_id) DO NOTHING
     RETURNING id`,
    [conversationId, senderId, clientMsgId, body]);
  if (ins.rows.length) return { id: ins.rows[0].id, created: true };
  const sel = await pool.query(
    'SELECT id FROM ref_messages WHERE sender_id = $1 AND client_msg_id = $2',
    [senderId, clientMsgId]);
  return { id: sel.rows[0].id, created: false };
}

async function main() {
  await migrate();

  const httpServer = http.createServer();
  const io = new Server(httpServer); // defaults (websocket transport allowed)

  io.on('connection', (socket) => {
    const who = { ...socket.handshake.query, ...socket.handshake.auth };
    const role = who.role;
    const id = Number(who.id);
    if (!Number.isInteger(id) || (role !== 'customer' && role !== 'staff')) {
      socket.disconnect(true);
      return;
    }
    const senderId = `${role}:${id}`;
    if (role === 'customer') socket.join(`conv:${id}`);
    else socket.join('staff');

    socket.on('send', async (msg, ack) => {
      if (typeof ack !== 'function') ack = () => {};
      try {
        const conversationId = Number(msg && msg.conversationId);
        const { clientMsgId, body } = msg || {};
        if (!Number.isInteger(conversationId) || typeof clientMsgId !== 'string'
            || typeof body !== 'string') {
          return ack({ error: 'bad request' });
        }
        // A customer may only write to their own conversation.
        if (role === 'customer' && conversationId !== id) {
          return ack({ error: 'forbidden' });
        }
        const { id: msgId, created } =
          await persist(conversationId, senderId, clientMsgId, body);
        ack({ id: msgId, clientMsgId });
        // A retried (duplicate) send is acked again but not re-broadcast.
        if (created) {
          io.to(`conv:${conversationId}`).to('staff').emit('message',
            { id: msgId, conversationId, clientMsgId, body });
        }
      } catch (err) {
        ack({ error: String(err.message || err) });
      }
    });
  });

  httpServer.listen(port, '127.0.0.1', () => {
    console.log(`listening on ${httpServer.address().port}`);
  });

  const stop = () => {
    io.close();
    pool.end().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
