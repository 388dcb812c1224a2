// The reference that Parley's performance goals are set against: the server of the official
// Socket.IO chat tutorial (https://socket.io/docs/v4/tutorial/), with its rooms, nothing tuned:
// an http server, `new Server(httpServer)` with the default options, one emit to the room per
// message, no history. bench/ measures it on the same machine, with the same workloads, as Parley
// (java -jar bench/target/parley-bench.jar --protocol socketio ...; see bench/README.md).
//
//   node server.js [PORT]        (or PORT=... node server.js; default 3000)
//
// Two departures from the tutorial's text, neither on the message path: `join` acknowledges
// when the client asks (the bench waits for it as it waits for Parley's RECEIPT, so that no
// message is sent to a room before everyone has joined it), and GET / answers a line of text
// instead of the tutorial's page (run-server.sh asks it whether the server is up).
'use strict';

const { createServer } = require('node:http');
const { Server } = require('socket.io');

const port = Number(process.argv[2] || process.env.PORT || 3000);

const httpServer = createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('Socket.IO chat tutorial server (the bench reference)\n');
});
const io = new Server(httpServer);

io.on('connection', (socket) => {
  socket.on('join', (room, ack) => {
    socket.join(room);
    if (typeof ack === 'function') {
      ack();
    }
  });
  socket.on('chat message', (room, msg) => {
    io.to(room).emit('chat message', msg);
  });
});

httpServer.listen(port, () => {
  console.log(`listening on *:${port} (socket.io ${require('socket.io/package.json').version}, node ${process.version})`);
});
