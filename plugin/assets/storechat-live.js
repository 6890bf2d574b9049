// storechat-live.js: the browser side of storechat's WebSocket protocol
// (docs/PROTOCOL.md). Plain ES2017, no dependencies, no build step.
//
//   var live = StorechatLive.connect({ url: "/storechat/ws" }); // same origin by default
//   live.on("message", function (frame) { ... });   // frames by type; "*" for all
//   live.on("hello", function (frame, info) { if (info.reconnected) catchUp(); });
//   live.on("state", function (state) { ... });     // "connecting", "open", "closed"
//   live.send({ type: "send", conversation_id: 7, client_msg_id: StorechatLive.clientMsgId(), body: "Hi" })
//     .then(function (ack) { ... }, function (error) { ... });  // the answer with our ref, or the error frame
//   live.notify({ type: "typing", conversation_id: 7, typing: true }); // no answer expected
//
// It reconnects by itself with exponential backoff and jitter. Frames sent
// with send() wait for the connection; a `send` whose answer was lost to a
// disconnect is sent again on reconnect (the client_msg_id makes that safe).
// Frame types nobody listens to are ignored.
(function (global) {
  "use strict";
  if (global.StorechatLive) return;

  // The server writes its configured WebSocket path here when it serves this file.
  var DEFAULT_PATH = "/storechat/ws";
  var BACKOFF_FIRST_MS = 500;
  var BACKOFF_MAX_MS = 30000;
  var PING_EVERY_MS = 25000;
  var PONG_WAIT_MS = 10000;
  var ANSWER_WAIT_MS = 20000;

  function clientMsgId() {
    var c = global.crypto;
    if (c && typeof c.randomUUID === "function") return c.randomUUID();
    var bytes = new Uint8Array(16);
    if (c && c.getRandomValues) c.getRandomValues(bytes);
    else for (var i = 0; i < 16; i++) bytes[i] = Math.floor(Math.random() * 256);
    return "web-" + Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  function socketUrl(url) {
    var u = new URL(url || DEFAULT_PATH, global.location.href);
    if (u.protocol === "https:") u.protocol = "wss:";
    else if (u.protocol === "http:") u.protocol = "ws:";
    return u.href;
  }

  function Live(url) {
    this.url = socketUrl(url);
    this.listeners = {};
    this.socket = null;
    this.state = "closed";
    this.user = null; // from hello
    this.hello = null;
    this.attempt = 0;
    this.everOpen = false;
    this.stopped = false;
    this.nextRef = 1;
    this.pending = {}; // ref -> { frame, resolve, reject, sent, timer }
    this.retryTimer = null;
    this.pingTimer = null;
    this.pongTimer = null;
    var self = this;
    global.addEventListener("online", function () { self.wake(); });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible") self.wake();
    });
  }

  Live.prototype.on = function (type, fn) {
    (this.listeners[type] = this.listeners[type] || []).push(fn);
    var list = this.listeners[type];
    return function off() {
      var i = list.indexOf(fn);
      if (i >= 0) list.splice(i, 1);
    };
  };

  Live.prototype.emit = function (type, a, b) {
    var fns = (this.listeners[type] || []).concat(type === "state" ? [] : this.listeners["*"] || []);
    fns.forEach(function (fn) {
      try {
        fn(a, b);
      } catch (e) {
        if (global.console) console.warn("storechat: a listener failed", e);
      }
    });
  };

  Live.prototype.setState = function (state) {
    if (this.state === state) return;
    this.state = state;
    this.emit("state", state);
  };

  Live.prototype.isOpen = function () {
    return this.state === "open";
  };

  Live.prototype.connect = function () {
    if (this.stopped || this.socket) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    var self = this;
    var socket;
    try {
      socket = new WebSocket(this.url);
    } catch (e) {
      return this.retry();
    }
    this.socket = socket;
    this.setState("connecting");
    socket.onmessage = function (event) {
      self.receive(event.data);
    };
    socket.onclose = function (event) {
      if (self.socket !== socket) return;
      self.socket = null;
      clearInterval(self.pingTimer);
      clearTimeout(self.pongTimer);
      self.setState("closed");
      self.lost();
      // 1008: signed out. Nobody to reconnect as; nothing will be answered.
      if (event.code === 1008) {
        self.stopped = true;
        Object.keys(self.pending).forEach(function (ref) {
          self.fail(ref, "signed_out", "You were signed out.");
        });
      }
      self.retry();
    };
    socket.onerror = function () {
      // onclose follows and schedules the retry.
    };
  };

  Live.prototype.retry = function () {
    if (this.stopped || this.retryTimer) return;
    var ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * Math.pow(2, this.attempt));
    this.attempt += 1;
    // "Equal jitter": half of the ceiling, plus up to the other half.
    var delay = ceiling / 2 + Math.random() * (ceiling / 2);
    var self = this;
    this.retryTimer = setTimeout(function () {
      self.retryTimer = null;
      self.connect();
    }, delay);
  };

  /** Back online or visible again: do not wait for the backoff. */
  Live.prototype.wake = function () {
    if (this.stopped || this.socket) return;
    this.attempt = 0;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.connect();
  };

  Live.prototype.close = function () {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    if (this.socket) this.socket.close(1000, "bye");
  };

  Live.prototype.receive = function (data) {
    var frame;
    try {
      frame = JSON.parse(data);
    } catch (e) {
      return;
    }
    if (!frame || typeof frame.type !== "string") return;
    if (frame.type === "hello") {
      var reconnected = this.everOpen;
      this.everOpen = true;
      this.attempt = 0;
      this.hello = frame;
      this.user = frame.user || null;
      this.setState("open");
      this.startPings();
      this.flush();
      this.emit("hello", frame, { reconnected: reconnected });
      return;
    }
    if (frame.type === "pong") clearTimeout(this.pongTimer);
    // The answer to a frame of ours (ack, done, pong, resumed, … or error) carries its ref.
    var waiting = frame.ref != null && this.pending[frame.ref];
    if (waiting) {
      delete this.pending[frame.ref];
      clearTimeout(waiting.timer);
      if (frame.type === "error") waiting.reject(frame);
      else waiting.resolve(frame);
      return;
    }
    this.emit(frame.type, frame);
  };

  Live.prototype.startPings = function () {
    var self = this;
    clearInterval(this.pingTimer);
    this.pingTimer = setInterval(function () {
      if (!self.isOpen()) return;
      self.raw({ type: "ping" });
      clearTimeout(self.pongTimer);
      // No answer: the connection is dead without knowing it.
      self.pongTimer = setTimeout(function () {
        if (self.socket) self.socket.close(4000, "no pong");
      }, PONG_WAIT_MS);
    }, PING_EVERY_MS);
  };

  Live.prototype.raw = function (frame) {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  };

  /** Sends a frame that is answered (`ack`, `done`, `pong`, …, or `error`); resolves with the answer. */
  Live.prototype.send = function (frame) {
    var self = this;
    var ref = "r" + this.nextRef++;
    var out = Object.assign({}, frame, { ref: ref });
    return new Promise(function (resolve, reject) {
      var entry = { frame: out, resolve: resolve, reject: reject, sent: false, timer: null };
      self.pending[ref] = entry;
      if (self.isOpen()) self.transmit(entry);
      if (self.stopped) self.fail(ref, "disconnected", "The chat connection is closed.");
    });
  };

  Live.prototype.transmit = function (entry) {
    var self = this;
    var ref = entry.frame.ref;
    entry.sent = this.raw(entry.frame);
    clearTimeout(entry.timer);
    entry.timer = setTimeout(function () {
      self.fail(ref, "timeout", "No answer from the server.");
    }, ANSWER_WAIT_MS);
  };

  Live.prototype.fail = function (ref, code, message) {
    var entry = this.pending[ref];
    if (!entry) return;
    delete this.pending[ref];
    clearTimeout(entry.timer);
    entry.reject({ type: "error", ref: ref, code: code, message: message });
  };

  /** The connection dropped: answers to what was sent are lost. */
  Live.prototype.lost = function () {
    var self = this;
    Object.keys(this.pending).forEach(function (ref) {
      var entry = self.pending[ref];
      if (!entry.sent) return;
      // A `send` is idempotent by its client_msg_id: send it again later.
      if (entry.frame.type === "send") {
        entry.sent = false;
        clearTimeout(entry.timer);
      } else {
        self.fail(ref, "disconnected", "The connection dropped before the answer came.");
      }
    });
  };

  Live.prototype.flush = function () {
    var self = this;
    Object.keys(this.pending).forEach(function (ref) {
      var entry = self.pending[ref];
      if (!entry.sent) self.transmit(entry);
    });
  };

  /** A frame with no answer (typing, read). Dropped when not connected. */
  Live.prototype.notify = function (frame) {
    return this.isOpen() && this.raw(frame);
  };

  var shared = {};

  global.StorechatLive = {
    /** The page's connection to URL (one per URL), connecting now. */
    connect: function (options) {
      var url = socketUrl(options && options.url);
      if (!shared[url]) {
        shared[url] = new Live(url);
        shared[url].connect();
      }
      return shared[url];
    },
    clientMsgId: clientMsgId,
    Live: Live,
  };
})(window);
