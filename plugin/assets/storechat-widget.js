// storechat-widget.js: the storefront chat widget. One tag in the store's layout:
//
//   <script src="/storechat/assets/storechat-widget.js" defer
//           data-messages-url="/dashboard/messages" data-ws-url="/storechat/ws"></script>
//
// Optional: data-sign-in-url="/login?next=" (the current path is appended),
// data-title="Chat with us". A round button opens a panel with the customer's
// latest open conversation (or a form to start one), live over storechat's
// WebSocket (storechat-live.js, loaded from the same folder). Signed-out
// visitors are asked to sign in; staff and vendors see nothing. User text is
// always inserted as text, never as HTML.
//
// The history is fetched over HTTP once (and page by page for earlier
// messages); after that the socket keeps it: after a reconnect the widget
// sends `resume` with the newest message it has and the server replays what
// was missed, in order (only when it answers `reload` is the history
// fetched again). Receipts: ✓ sent, ✓✓ delivered (the store's client has
// it), filled ✓✓ seen. Reactions show under the messages; the smiley next
// to a message offers the six of the protocol.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.StorechatWidget || !window.fetch || !window.WebSocket) return;
  window.StorechatWidget = true;

  var data = script.dataset;
  var cfg = {
    messagesUrl: (data.messagesUrl || "/dashboard/messages").replace(/\/+$/, ""),
    wsUrl: data.wsUrl || undefined,
    signInUrl: data.signInUrl || "",
    title: data.title || "Chat with us",
  };
  var here = location.pathname;
  // The customer's own message pages show the thread already.
  if (here === cfg.messagesUrl || here.indexOf(cfg.messagesUrl + "/") === 0) return;

  var KEY = "storechat-widget";
  var CLOSED = "CLOSED";
  var LABELS = {
    OPEN: "Waiting for the store",
    AWAITING_ADMIN: "Waiting for the store",
    AWAITING_USER: "Store replied",
    RESOLVED: "Resolved",
    CLOSED: "Closed",
  };
  var ICONS = {
    chat: "M21 11.5a8.4 8.4 0 0 1-9 8.4 9 9 0 0 1-3.9-.9L3 20.5l1.4-4.3A8.2 8.2 0 0 1 3 11.5 8.6 8.6 0 0 1 12 3a8.6 8.6 0 0 1 9 8.5z",
    close: "M6 6l12 12M18 6L6 18",
    send: "M22 2L11 13M22 2l-7 20-4-9-9-4 20-7z",
    open: "M14 4h6v6M20 4l-9 9M18 14v5a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V7a1 1 0 0 1 1-1h5",
    plus: "M12 5v14M5 12h14",
    back: "M15 18l-6-6 6-6",
    smile: "M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18zM8 14s1.5 2 4 2 4-2 4-2M9 9.5h.01M15 9.5h.01",
  };
  // The protocol's reactions, in menu order: [name, emoji, label].
  var REACTIONS = [
    ["thumbs_up", "\u{1F44D}", "Thumbs up"],
    ["heart", "\u2764\uFE0F", "Heart"],
    ["laughing", "\u{1F606}", "Laughing"],
    ["surprised", "\u{1F62E}", "Surprised"],
    ["sad", "\u{1F622}", "Sad"],
    ["fire", "\u{1F525}", "Fire"],
  ];

  function asset(name) {
    var src = new URL(script.src, location.href);
    return new URL(name + src.search, src).href;
  }

  // ---- small DOM helpers (text only) ----
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }

  // ---- order progress cards (mirrors plugin/src/domain/order_card.rs) ----
  var ORDER_STEPS = ["Placed", "Paid", "Shipped", "Delivered"];
  /** An order update's card: given by the JSON API, else read from the message body of a frame. */
  function orderCard(m) {
    if (!m || m.kind !== "order_card" || m.deleted_at || m.deleted) return null;
    if (m.order_card) return m.order_card;
    var c = null;
    try { c = JSON.parse(m.body); } catch (e) { return null; }
    if (!c || typeof c.number !== "string") return null;
    var status = String(c.status || "");
    var at = ORDER_STEPS.map(function (s) { return s.toLowerCase(); }).indexOf(status.trim().toLowerCase());
    return {
      number: c.number,
      status: status,
      total: String(c.total || ""),
      ended: at < 0 ? status : null,
      steps: at < 0 ? [] : ORDER_STEPS.map(function (s, i) {
        return { label: s, state: i < at ? "done" : i === at ? "current" : "todo" };
      }),
      summary: "Order " + c.number + ": " + status + " · Total " + String(c.total || ""),
    };
  }
  /** The card as the server renders it (templates/order_card.html); text only, so escaped. */
  function orderCardEl(card) {
    var box = el("div", "sc-order-card");
    box.setAttribute("role", "group");
    box.setAttribute("aria-label", "Order " + card.number + ": " + card.status);
    var head = box.appendChild(el("div", "sc-order-card-head"));
    head.appendChild(el("strong", "sc-order-card-number", "Order " + card.number));
    head.appendChild(el("span", "sc-order-card-total", "Total " + card.total));
    if (card.ended) {
      box.appendChild(el("p", "sc-order-card-ended", card.ended));
    } else {
      var steps = box.appendChild(el("ol", "sc-order-steps"));
      card.steps.forEach(function (s) {
        var step = steps.appendChild(el("li", "sc-order-step sc-order-step-" + s.state, s.label));
        if (s.state === "current") step.setAttribute("aria-current", "step");
      });
    }
    return box;
  }
  function icon(name, className) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("fill", "none");
    svg.setAttribute("stroke", "currentColor");
    svg.setAttribute("stroke-width", "2");
    svg.setAttribute("stroke-linecap", "round");
    svg.setAttribute("stroke-linejoin", "round");
    svg.setAttribute("aria-hidden", "true");
    if (className) svg.setAttribute("class", className);
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", ICONS[name]);
    svg.appendChild(path);
    return svg;
  }
  function button(className, label, child) {
    var b = el("button", className);
    b.type = "button";
    if (label) {
      b.setAttribute("aria-label", label);
      b.title = label;
    }
    if (child) b.appendChild(child);
    return b;
  }
  function parseTime(s) {
    if (s && !/(Z|[+-]\d\d:?\d\d)$/.test(s)) s += "Z";
    var d = s ? new Date(s) : new Date();
    return isNaN(d.getTime()) ? new Date() : d;
  }
  function shortTime(d) {
    var t = d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    if (d.toDateString() === new Date().toDateString()) return t;
    return d.toLocaleDateString([], { day: "numeric", month: "short" }) + ", " + t;
  }

  // ---- state ----
  var S = {
    open: false,
    signedIn: false,
    user: null,
    current: null, // the conversation shown
    previous: null, // the one before "New conversation"
    loaded: false, // its history was fetched
    hasEarlier: false,
    storeReadUpTo: 0,
    storeDeliveredUpTo: 0,
    readSent: 0,
    reactions: {}, // message id -> { name: { count, mine } }
    reloading: null, // the history fetch a `reload` asked for
    unread: {},
    convs: {}, // id -> { id, subject, status, href }: for the "new reply elsewhere" bar
    byId: {},
    byClient: {},
    typingOn: false,
    typingSentAt: 0,
    startId: null,
  };
  var live = null;
  var liveReady = null;

  function saved() {
    try {
      return JSON.parse(localStorage.getItem(KEY)) || {};
    } catch (e) {
      return {};
    }
  }
  function save() {
    try {
      localStorage.setItem(KEY, JSON.stringify({ open: S.open, conversation: S.current ? S.current.id : null }));
    } catch (e) {
      // private mode: nothing to restore later
    }
  }

  function api(path, options) {
    var init = Object.assign({ credentials: "same-origin", redirect: "manual", headers: { Accept: "application/json" } }, options);
    return fetch(cfg.messagesUrl + path, init).then(function (r) {
      // Signed out: the plugin answers with a redirect to the sign-in page.
      if (r.type === "opaqueredirect" || r.status === 401 || r.status === 303) throw { signedOut: true };
      return r.json().catch(function () { return {}; }).then(function (body) {
        if (!r.ok) throw Object.assign({ status: r.status }, body);
        return body;
      });
    });
  }

  // ---- the frame ----
  var root = el("div", "scw");
  root.hidden = true;
  var launcher = button("scw-launcher", null, icon("chat", "scw-icon-chat"));
  launcher.appendChild(icon("close", "scw-icon-close"));
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", "scw-panel");
  var badge = el("span", "scw-badge");
  badge.hidden = true;
  badge.setAttribute("aria-hidden", "true");
  launcher.appendChild(badge);

  var panel = el("section", "scw-panel");
  panel.id = "scw-panel";
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", cfg.title);
  var head = el("header", "scw-head");
  var presence = el("span", "scw-presence");
  presence.hidden = true;
  var headText = el("div", "scw-head-text");
  var title = el("div", "scw-title", cfg.title);
  var sub = el("div", "scw-sub", "");
  headText.append(title, sub);
  var newButton = button("scw-head-button", "New conversation", icon("plus"));
  newButton.hidden = true;
  var pageLink = el("a", "scw-head-button");
  pageLink.appendChild(icon("open"));
  pageLink.title = "Open in your messages";
  pageLink.setAttribute("aria-label", "Open in your messages");
  pageLink.href = cfg.messagesUrl + "/";
  var closeButton = button("scw-head-button", "Close chat", icon("close"));
  head.append(presence, headText, newButton, pageLink, closeButton);
  var offline = el("div", "scw-offline", "Connection lost. Reconnecting…");
  offline.setAttribute("role", "status");
  offline.hidden = true;
  var others = el("a", "scw-others");
  others.hidden = true;
  var body = el("div", "scw-body");
  var footer = el("div", "scw-foot");
  // Outside business hours: the store's away message and when it is back.
  var away = el("div", "scw-away");
  away.setAttribute("role", "status");
  away.hidden = true;
  panel.append(head, offline, away, others, body, footer);
  root.append(panel, launcher);

  function setLauncherLabel() {
    var n = Object.keys(S.unread).reduce(function (sum, id) { return sum + (S.unread[id] || 0); }, 0);
    badge.hidden = n <= 0;
    badge.textContent = n > 99 ? "99+" : String(n);
    var label = S.open ? "Close chat" : cfg.title + (n > 0 ? " (" + n + " unread)" : "");
    launcher.setAttribute("aria-label", label);
    launcher.title = label;
    renderOthers();
  }

  /** Unread replies in conversations other than the one shown: a bar that leads there. */
  function renderOthers() {
    var ids = Object.keys(S.unread).filter(function (id) {
      return S.unread[id] > 0 && (!S.current || Number(id) !== S.current.id);
    });
    others.hidden = !S.signedIn || !ids.length;
    if (others.hidden) return;
    var n = ids.reduce(function (sum, id) { return sum + S.unread[id]; }, 0);
    var one = ids.length === 1 ? S.convs[ids[0]] : null;
    others.textContent = one
      ? (n === 1 ? "New reply" : n + " new replies") + " in “" + one.subject + "”"
      : n + " unread in " + ids.length + " other conversations";
    others.href = one && one.href ? one.href : cfg.messagesUrl + "/";
    others.onclick = function (e) {
      // One the widget can show: switch to it here.
      if (!one || one.status === CLOSED || !S.signedIn) return;
      e.preventDefault();
      S.previous = S.current;
      showThread(one);
      loadHistory();
    };
  }

  function remember(c) {
    var known = S.convs[c.id] || {};
    S.convs[c.id] = {
      id: c.id,
      subject: c.subject,
      status: c.status,
      href: c.href || known.href || cfg.messagesUrl + "/" + c.id + "/",
    };
  }

  function setOpen(open, instant) {
    S.open = open;
    // Restored after a page load: there, not animated in.
    if (instant) {
      root.classList.add("scw-instant");
      setTimeout(function () { root.classList.remove("scw-instant"); }, 50);
    }
    root.classList.toggle("scw-open", open);
    launcher.setAttribute("aria-expanded", String(open));
    setLauncherLabel();
    save();
    if (open) {
      if (S.current && !S.loaded) loadHistory();
      scrollToEnd();
      var first = panel.querySelector("textarea, input:not([type=hidden]), .scw-button");
      if (first && window.matchMedia("(pointer: fine)").matches) setTimeout(function () { first.focus({ preventScroll: true }); }, 60);
      markRead();
    } else {
      stopTyping();
      if (panel.contains(document.activeElement)) launcher.focus();
    }
  }

  launcher.addEventListener("click", function () { setOpen(!S.open); });
  closeButton.addEventListener("click", function () { setOpen(false); });
  panel.addEventListener("keydown", function (e) {
    if (e.key === "Escape") setOpen(false);
  });
  newButton.addEventListener("click", function () {
    S.previous = S.current;
    showStart();
  });

  // ---- views ----
  function setHeader(text, subText) {
    title.textContent = text;
    sub.textContent = subText || "";
    sub.hidden = !subText;
  }
  function clear() {
    body.textContent = "";
    footer.textContent = "";
    S.list = null;
    S.typingEl = null;
    S.earlier = null;
    S.byId = {};
    S.byClient = {};
    S.reactions = {};
    newButton.hidden = true;
  }

  function showSignedOut() {
    clear();
    setHeader(cfg.title, "Questions about an order or a product?");
    var pane = el("div", "scw-pane scw-center");
    var hero = el("div", "scw-hero");
    hero.appendChild(icon("chat"));
    var link = el("a", "scw-button", "Sign in");
    link.href = cfg.signInUrl ? cfg.signInUrl + encodeURIComponent(location.pathname + location.search) : cfg.messagesUrl + "/";
    pane.append(hero, el("h2", null, "Sign in to chat with us"), el("p", null, "Questions about an order or a product? Sign in and write to us here."), link);
    body.appendChild(pane);
  }

  function showUnavailable() {
    clear();
    setHeader(cfg.title, "");
    var pane = el("div", "scw-pane scw-center");
    var retry = button("scw-button scw-button-quiet", null);
    retry.textContent = "Try again";
    retry.addEventListener("click", start);
    pane.append(el("h2", null, "The chat is not available right now"), el("p", null, "Please try again in a moment."), retry);
    body.appendChild(pane);
  }

  function showStart() {
    clear();
    S.current = null;
    S.loaded = false;
    save();
    pageLink.href = cfg.messagesUrl + "/";
    renderOthers();
    setHeader(cfg.title, "Questions about an order or a product?");
    var pane = el("div", "scw-pane");
    var form = el("form", "scw-start");
    form.noValidate = true;
    var error = el("div", "scw-error");
    error.setAttribute("role", "alert");
    error.hidden = true;
    var subjectField = el("label", "scw-field");
    var subject = el("input");
    subject.name = "subject";
    subject.maxLength = 200;
    subject.placeholder = "e.g. Where is my parcel?";
    subject.autocomplete = "off";
    subjectField.append(el("span", null, "Subject"), subject);
    var messageField = el("label", "scw-field");
    var message = el("textarea");
    message.name = "body";
    message.maxLength = 10000;
    message.rows = 4;
    message.placeholder = "How can we help?";
    messageField.append(el("span", null, "Message"), message);
    var submit = el("button", "scw-button", "Start conversation");
    submit.type = "submit";
    form.append(el("h2", null, "Start a conversation"), error, subjectField, messageField, submit);
    if (S.previous) {
      var back = button("scw-button scw-button-quiet", null);
      back.textContent = "Back to “" + S.previous.subject + "”";
      back.addEventListener("click", function () {
        var previous = S.previous;
        S.previous = null;
        showThread(previous);
      });
      form.appendChild(back);
    }
    var all = el("a", null, "See all your messages");
    all.href = cfg.messagesUrl + "/";
    var note = el("p", "scw-small");
    note.appendChild(all);
    form.appendChild(note);
    pane.appendChild(form);
    body.appendChild(pane);
    S.startForm = form;
    S.startId = S.startId || window.StorechatLive && window.StorechatLive.clientMsgId() || null;

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      error.hidden = true;
      if (!subject.value.trim() || !message.value.trim()) {
        error.textContent = !subject.value.trim() ? "Please write a subject." : "Please write a message.";
        error.hidden = false;
        (!subject.value.trim() ? subject : message).focus();
        return;
      }
      submit.disabled = true;
      liveReady.then(function () {
        S.startId = S.startId || window.StorechatLive.clientMsgId();
        return api("/conversations.json", {
          method: "POST",
          headers: { Accept: "application/json", "Content-Type": "application/json" },
          body: JSON.stringify({ subject: subject.value, body: message.value, client_msg_id: S.startId }),
        });
      }).then(function (opened) {
        S.startId = null;
        S.previous = null;
        showThread(opened.conversation, [opened.message]);
        focusComposer();
      }, function (err) {
        submit.disabled = false;
        if (err && err.signedOut) return showSignedOut();
        error.textContent = (err && err.message) || "That did not work; please try again.";
        error.hidden = false;
      });
    });
  }

  function showThread(conversation, messages) {
    clear();
    S.current = conversation;
    S.loaded = !!messages;
    S.hasEarlier = false;
    S.storeReadUpTo = conversation.admin_read_up_to || 0;
    S.storeDeliveredUpTo = 0;
    S.readSent = conversation.user_read_up_to || 0;
    save();
    newButton.hidden = false;
    pageLink.href = conversation.href || cfg.messagesUrl + "/" + conversation.id + "/";

    var thread = el("div", "scw-thread");
    S.earlier = button("scw-earlier", null);
    S.earlier.textContent = "Show earlier messages";
    S.earlier.hidden = true;
    S.earlier.addEventListener("click", function () {
      var first = S.list.querySelector("[data-id]");
      if (first) loadHistory(Number(first.dataset.id));
    });
    S.list = el("ol", "scw-messages");
    S.list.setAttribute("role", "log");
    S.list.setAttribute("aria-live", "polite");
    S.typingEl = el("div", "scw-typing");
    S.typingEl.hidden = true;
    var dots = el("span", "scw-dots");
    dots.append(el("i"), el("i"), el("i"));
    S.typingText = el("span");
    S.typingEl.append(dots, S.typingText);
    thread.append(S.earlier, S.list, S.typingEl);
    body.appendChild(thread);

    // The composer, or the closed notice.
    var form = el("form", "scw-composer");
    var input = el("textarea");
    input.rows = 1;
    input.maxLength = 10000;
    input.placeholder = "Write a message…";
    input.setAttribute("aria-label", "Message");
    var send = el("button", "scw-send");
    send.type = "submit";
    send.disabled = true;
    send.setAttribute("aria-label", "Send");
    send.title = "Send";
    send.appendChild(icon("send"));
    form.append(input, send);
    var closed = el("div", "scw-closed");
    var again = button("scw-button scw-button-quiet", null);
    again.textContent = "Start a new conversation";
    again.addEventListener("click", function () { showStart(); });
    closed.append(el("p", null, "This conversation is closed."), again);
    footer.append(form, closed);
    S.input = input;
    S.composer = form;
    S.closedEl = closed;

    input.addEventListener("input", function () {
      send.disabled = !input.value.trim();
      input.style.height = "auto";
      input.style.height = Math.min(input.scrollHeight + 2, 120) + "px";
      typing();
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
        e.preventDefault();
        if (form.requestSubmit) form.requestSubmit();
        else form.dispatchEvent(new Event("submit", { cancelable: true }));
      }
    });
    input.addEventListener("blur", stopTyping);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var text = input.value.trim();
      if (!text) return;
      input.value = "";
      input.style.height = "";
      send.disabled = true;
      sendMessage(text);
      input.focus();
    });

    applyConversation(conversation);
    renderOthers();
    (messages || []).forEach(function (m) { upsert(m); });
    if (S.open && !S.loaded) loadHistory();
    scrollToEnd();
  }

  function focusComposer() {
    if (S.input) S.input.focus();
  }

  /** Status, title and read cursors of the conversation shown, from JSON or a frame. */
  function applyConversation(c) {
    if (!S.current || c.id !== S.current.id) return;
    S.current.status = c.status;
    S.current.subject = c.subject || S.current.subject;
    remember(S.current);
    setHeader(S.current.subject, c.customer_label || LABELS[c.status] || "");
    if (c.admin_read_up_to > S.storeReadUpTo) S.storeReadUpTo = c.admin_read_up_to;
    if (c.unread_for_user != null) S.unread[c.id] = c.unread_for_user;
    var isClosed = c.status === CLOSED;
    S.composer.hidden = isClosed;
    S.closedEl.hidden = !isClosed;
    if (isClosed) stopTyping();
    receipts();
    setLauncherLabel();
  }

  // ---- messages ----
  function fromFrame(m) {
    return {
      id: m.id,
      sender_side: m.sender_side,
      sender_name: m.sender_name,
      kind: m.kind,
      body: m.deleted_at ? "" : m.body,
      order_card: orderCard(m),
      created_at: m.created_at,
      edited: !!m.edited_at,
      deleted: !!m.deleted_at,
      mine: m.sender_side === "customer" && (!S.user || !m.sender_id || m.sender_id === S.user.id),
      client_msg_id: m.client_msg_id,
    };
  }

  function fill(li, m) {
    var system = m.kind === "system" || m.sender_side === "system";
    li.className = "scw-msg " + (system ? "scw-system" : m.mine ? "scw-mine" : "scw-theirs") + (m.deleted ? " scw-removed" : "");
    li.textContent = "";
    if (m.id) li.dataset.id = m.id;
    li.dataset.sender = system ? "" : m.sender_side + ":" + m.sender_name;
    li.dataset.mine = m.mine ? "1" : "";
    var when = parseTime(m.created_at);
    var card = orderCard(m);
    if (card) {
      li.appendChild(orderCardEl(card));
      li.appendChild(el("div", "scw-card-time", shortTime(when)));
      return li;
    }
    if (system) {
      li.textContent = m.body + " · " + shortTime(when);
      return li;
    }
    if (!m.mine) {
      var side = m.sender_side === "vendor" ? " · Seller" : m.sender_side === "staff" ? " · Store" : "";
      li.appendChild(el("div", "scw-sender", m.sender_name + side));
    }
    var line = el("div", "scw-line");
    line.appendChild(el("div", "scw-bubble", m.deleted ? "This message was removed." : m.body));
    var reactable = !m.deleted && (m.kind || "text") === "text";
    li.dataset.reactable = reactable ? "1" : "";
    if (reactable) {
      var smile = button("scw-react", "React", icon("smile"));
      smile.setAttribute("aria-expanded", "false");
      line.appendChild(smile);
    }
    li.appendChild(line);
    if (reactable) li.appendChild(el("div", "scw-reactions"));
    var meta = el("div", "scw-meta");
    var time = el("time", null, shortTime(when));
    time.dateTime = when.toISOString();
    time.title = when.toLocaleString();
    meta.appendChild(time);
    if (m.edited && !m.deleted) meta.appendChild(el("span", "scw-edited", "· edited"));
    if (m.mine) meta.appendChild(el("span", "scw-receipt"));
    li.appendChild(meta);
    drawReactions(li);
    return li;
  }

  // ---- reactions ----
  /** The chips under a message: pressing one gives or takes back that reaction. */
  function drawReactions(li) {
    var box = li.querySelector(".scw-reactions");
    if (!box) return;
    var state = S.reactions[li.dataset.id] || {};
    box.textContent = "";
    REACTIONS.forEach(function (r) {
      var s = state[r[0]];
      if (!s || s.count <= 0) return;
      var chip = el("button", "scw-reaction" + (s.mine ? " scw-reaction-mine" : ""));
      chip.type = "button";
      chip.dataset.emoji = r[0];
      chip.setAttribute("aria-pressed", String(s.mine));
      chip.setAttribute("aria-label", r[2] + ": " + s.count + (s.mine ? ", including you" : ""));
      chip.title = r[2] + (s.mine ? " · you reacted; press to take it back" : "");
      chip.append(r[1] + " ", el("span", "scw-reaction-count", String(s.count)));
      box.appendChild(chip);
    });
    box.hidden = !box.childElementCount;
    var picker = li.querySelector(".scw-picker");
    if (picker) {
      picker.querySelectorAll("[data-emoji]").forEach(function (b) {
        var s = state[b.dataset.emoji];
        b.setAttribute("aria-pressed", String(!!(s && s.mine)));
      });
    }
  }

  /** JSON's [{ emoji, count, mine }] as the widget keeps it. */
  function keepReactions(id, list) {
    var state = {};
    (list || []).forEach(function (r) { state[r.emoji] = { count: r.count, mine: !!r.mine }; });
    S.reactions[id] = state;
  }

  function closePicker() {
    if (!S.list) return;
    S.list.querySelectorAll(".scw-picker").forEach(function (p) { p.remove(); });
    S.list.querySelectorAll(".scw-react[aria-expanded=true]").forEach(function (b) { b.setAttribute("aria-expanded", "false"); });
  }

  function openPicker(li) {
    var open = li.querySelector(".scw-picker");
    closePicker();
    if (open) return;
    var picker = el("div", "scw-picker");
    picker.setAttribute("role", "group");
    picker.setAttribute("aria-label", "React to this message");
    var state = S.reactions[li.dataset.id] || {};
    REACTIONS.forEach(function (r) {
      var b = button("scw-pick", r[2]);
      b.textContent = r[1];
      b.dataset.emoji = r[0];
      b.setAttribute("aria-pressed", String(!!(state[r[0]] && state[r[0]].mine)));
      picker.appendChild(b);
    });
    li.querySelector(".scw-line").insertAdjacentElement("afterend", picker);
    li.querySelector(".scw-react").setAttribute("aria-expanded", "true");
    picker.firstChild.focus({ preventScroll: true });
    li.scrollIntoView({ block: "nearest" });
  }

  function react(li, emoji) {
    var id = Number(li.dataset.id);
    if (!id || !liveReady) return;
    var s = (S.reactions[id] || {})[emoji];
    var frame = { type: s && s.mine ? "unreact" : "react", message_id: id, emoji: emoji };
    // The `reaction` frame that follows updates the chips, here and everywhere.
    liveReady.then(function (l) { return l.send(frame); }).catch(function (err) {
      var meta = li.querySelector(".scw-meta");
      if (!meta || meta.querySelector(".scw-react-error")) return;
      var note = el("span", "scw-react-error", (err && err.message) || "That did not work; try again.");
      note.setAttribute("role", "alert");
      meta.appendChild(note);
      setTimeout(function () { note.remove(); }, 5000);
    });
  }

  body.addEventListener("click", function (e) {
    var target = e.target.closest && e.target.closest("button");
    var li = target && target.closest(".scw-msg[data-id]");
    if (!li || li.dataset.reactable !== "1") return;
    if (target.classList.contains("scw-react")) return openPicker(li);
    if (!target.dataset.emoji) return;
    react(li, target.dataset.emoji);
    if (target.classList.contains("scw-pick")) {
      closePicker();
      var smile = li.querySelector(".scw-react");
      if (smile) smile.focus({ preventScroll: true });
    }
  });
  body.addEventListener("keydown", function (e) {
    if (e.key !== "Escape" || !e.target.closest || !e.target.closest(".scw-picker")) return;
    // Close the picker, not the whole panel.
    e.stopPropagation();
    var li = e.target.closest(".scw-msg");
    closePicker();
    var smile = li && li.querySelector(".scw-react");
    if (smile) smile.focus({ preventScroll: true });
  });
  document.addEventListener("click", function (e) {
    if (!e.target.closest || !e.target.closest(".scw-picker, .scw-react")) closePicker();
  });

  /** Adds a message or updates the one shown, keeping the list in id order. */
  function upsert(m) {
    if (!S.list) return null;
    if (m.id && m.reactions) keepReactions(m.id, m.reactions);
    var li = (m.id && S.byId[m.id]) || (m.client_msg_id && S.byClient[m.client_msg_id]);
    var isNew = !li;
    if (isNew) li = el("li");
    fill(li, m);
    li.classList.remove("scw-pending", "scw-failed");
    if (m.id) S.byId[m.id] = li;
    if (isNew) {
      // After the last message with a smaller id; pending ones stay last.
      var node = S.list.lastElementChild;
      while (node && (!node.dataset.id || Number(node.dataset.id) > m.id)) node = node.previousElementSibling;
      S.list.insertBefore(li, node ? node.nextElementSibling : S.list.firstElementChild);
    }
    group(li);
    group(li.nextElementSibling);
    receipts();
    return li;
  }

  /** Consecutive messages of one sender share the sender line. */
  function group(li) {
    if (!li) return;
    var prev = li.previousElementSibling;
    var same = !!prev && !!li.dataset.sender && prev.dataset.sender === li.dataset.sender;
    li.classList.toggle("scw-same", same);
    var name = li.querySelector(".scw-sender");
    if (name) name.hidden = same;
  }

  function receipts() {
    if (!S.list) return;
    S.list.querySelectorAll(".scw-mine").forEach(function (li) {
      var r = li.querySelector(".scw-receipt");
      if (!r) return;
      var pending = li.classList.contains("scw-pending") || !li.dataset.id;
      var id = Number(li.dataset.id);
      var seen = !pending && id <= S.storeReadUpTo;
      var delivered = !pending && !seen && id <= S.storeDeliveredUpTo;
      r.textContent = li.classList.contains("scw-failed") ? "" : pending ? "Sending…" : seen || delivered ? "✓✓" : "✓";
      r.className = "scw-receipt" + (seen ? " scw-receipt-seen" : delivered ? " scw-receipt-delivered" : "") + (pending ? " scw-receipt-pending" : "");
      r.title = pending ? "Sending" : seen ? "Seen" : delivered ? "Delivered" : "Sent";
      r.setAttribute("aria-label", r.title);
    });
  }

  function nearEnd() {
    return body.scrollHeight - body.scrollTop - body.clientHeight < 90;
  }
  function scrollToEnd() {
    body.scrollTop = body.scrollHeight;
  }

  function sendMessage(text, clientId, li) {
    var conversationId = S.current.id;
    stopTyping();
    if (!li) {
      clientId = window.StorechatLive ? window.StorechatLive.clientMsgId() : String(Date.now());
      li = fill(el("li"), { body: text, mine: true, sender_side: "customer", sender_name: "", kind: "text", created_at: new Date().toISOString() });
      li.dataset.clientId = clientId;
      S.byClient[clientId] = li;
      S.list.appendChild(li);
      group(li);
    }
    li.classList.remove("scw-failed");
    li.classList.add("scw-pending");
    var retry = li.querySelector(".scw-retry");
    if (retry) retry.remove();
    receipts();
    scrollToEnd();
    liveReady.then(function (l) {
      return l.send({ type: "send", conversation_id: conversationId, client_msg_id: clientId, body: text });
    }).then(function (ack) {
      li.dataset.id = ack.message_id;
      S.byId[ack.message_id] = li;
      li.classList.remove("scw-pending");
      receipts();
    }, function (err) {
      li.classList.remove("scw-pending");
      li.classList.add("scw-failed");
      receipts();
      var again = el("button", "scw-retry", "Not sent · Retry");
      again.type = "button";
      again.title = (err && err.message) || "Not sent";
      again.addEventListener("click", function () { sendMessage(text, clientId, li); });
      var meta = li.querySelector(".scw-meta");
      if (meta) meta.appendChild(again);
      if (err && err.code === "conversation_closed" && S.current && S.current.id === conversationId) {
        applyConversation(Object.assign({}, S.current, { status: CLOSED }));
      }
    });
  }

  function loadHistory(before) {
    if (!S.current) return Promise.resolve();
    var id = S.current.id;
    var wasAtEnd = nearEnd();
    var fromBottom = body.scrollHeight - body.scrollTop;
    return api("/" + id + "/messages.json" + (before ? "?before=" + before : "")).then(function (page) {
      if (!S.current || S.current.id !== id || !S.list) return;
      var known = Object.keys(S.byId).map(Number);
      var newestKnown = known.length ? Math.max.apply(null, known) : 0;
      var first = page.messages.length ? page.messages[0].id : 0;
      // Missed more than a page while away: start again from this page.
      if (!before && page.has_earlier && newestKnown && first > newestKnown) {
        S.list.querySelectorAll("[data-id]").forEach(function (li) { li.remove(); });
        S.byId = {};
        known = [];
      }
      var oldestKnown = known.length ? Math.min.apply(null, known) : Infinity;
      if (before || first <= oldestKnown) S.hasEarlier = page.has_earlier;
      S.earlier.hidden = !S.hasEarlier;
      page.messages.forEach(function (m) { upsert(m); });
      S.loaded = true;
      applyConversation(page.conversation);
      if (before) body.scrollTop = body.scrollHeight - fromBottom;
      else if (wasAtEnd || !known.length) scrollToEnd();
      markRead();
      // What was written between this page's reading and now comes over the socket.
      if (!before) resume();
    }, function (err) {
      if (err && err.signedOut) showSignedOut();
      else if (err && err.status === 404) showStart();
    });
  }

  /** The newest message shown, 0 when none. */
  function newestKnown() {
    return Object.keys(S.byId).reduce(function (max, id) { return Math.max(max, Number(id) || 0); }, 0);
  }

  /**
   * Asks the server for everything after the newest message shown, in
   * order, as `message` frames (docs/PROTOCOL.md, resume). The server sends
   * `reload` instead when too much was missed.
   */
  function resume() {
    if (!live || !live.isOpen() || !S.current || !S.loaded) return;
    var last = newestKnown();
    if (!last) return;
    var id = S.current.id;
    var conversations = {};
    conversations[id] = last;
    live.send({ type: "resume", conversations: conversations }).catch(function (err) {
      if (err && err.code === "conversation_not_found" && S.current && S.current.id === id) showStart();
    });
  }

  /** `reload`: the history is fetched again, once however many times the server asks meanwhile. */
  function reloadHistory() {
    if (S.reloading) return S.reloading;
    S.reloading = loadHistory().then(function () { S.reloading = null; }, function () { S.reloading = null; });
    return S.reloading;
  }

  // ---- read, typing ----
  function newestTheirs() {
    var theirs = S.list ? S.list.querySelectorAll(".scw-theirs[data-id]") : [];
    return theirs.length ? Number(theirs[theirs.length - 1].dataset.id) : 0;
  }

  function markRead() {
    if (!S.open || !S.current || !live || document.visibilityState !== "visible" || !document.hasFocus()) return;
    var newest = newestTheirs();
    if ((S.unread[S.current.id] || 0) > 0 || newest > S.readSent) {
      if (live.notify({ type: "read", conversation_id: S.current.id })) S.readSent = Math.max(S.readSent, newest);
    }
  }
  window.addEventListener("focus", markRead);
  document.addEventListener("visibilitychange", markRead);

  function typing() {
    if (!live || !S.current || !S.input) return;
    if (!S.input.value.trim()) return stopTyping();
    var now = Date.now();
    if (!S.typingOn || now - S.typingSentAt > 2500) {
      S.typingOn = live.notify({ type: "typing", conversation_id: S.current.id, typing: true });
      S.typingSentAt = now;
    }
    clearTimeout(S.typingIdle);
    S.typingIdle = setTimeout(stopTyping, 3000);
  }
  function stopTyping() {
    clearTimeout(S.typingIdle);
    if (S.typingOn && live && S.current) live.notify({ type: "typing", conversation_id: S.current.id, typing: false });
    S.typingOn = false;
  }

  function showTyping(name, on) {
    if (!S.typingEl) return;
    clearTimeout(S.typingHide);
    var atEnd = nearEnd();
    S.typingEl.hidden = !on;
    S.typingText.textContent = (name || "The store") + " is typing…";
    // A lost "stopped typing" must not leave the dots forever.
    if (on) S.typingHide = setTimeout(function () { showTyping(name, false); }, 6000);
    if (on && atEnd) scrollToEnd();
  }

  /** Whether a member of staff is connected (protocol: hello.store_online, presence). */
  function setStoreOnline(online) {
    presence.hidden = typeof online !== "boolean";
    presence.classList.toggle("scw-presence-online", online === true);
    presence.title = online ? "The store is online" : "The store is offline; we will answer soon";
    presence.setAttribute("aria-label", presence.title);
    presence.setAttribute("role", "img");
  }

  /** The connection notice above the messages (null hides it); the newest message stays in view. */
  function showOffline(text) {
    var atEnd = nearEnd();
    offline.hidden = !text;
    if (text) offline.textContent = text;
    if (atEnd) scrollToEnd();
  }

  // ---- frames ----
  function connect(Live) {
    live = Live.connect({ url: cfg.wsUrl });
    var offlineTimer = null;
    function onState(state) {
      root.setAttribute("data-live-state", state);
      if (state !== "open") setStoreOnline(null);
      clearTimeout(offlineTimer);
      if (state === "open") return showOffline(null);
      // Not for a blink: only when it lasts.
      offlineTimer = setTimeout(function () {
        showOffline(live.stopped
          ? "You were signed out. Reload the page to chat."
          : live.everOpen ? "Connection lost. Reconnecting…" : "Connecting to the chat…");
      }, live.everOpen ? 1500 : 4000);
    }
    function onHello(frame, info) {
      S.user = frame.user || null;
      if (frame.user && frame.user.side !== "customer") {
        root.remove();
        // The page may keep the connection for its own badges.
        if (!document.querySelector("[data-storechat-unread]")) live.close();
        return;
      }
      setStoreOnline(frame.store_online);
      // Catch up on what happened while the connection was not there.
      resume();
      if (info.reconnected) refreshUnread();
    }
    live.on("state", onState);
    live.on("hello", onHello);
    // The page's own script (for the host's badges) may have connected first.
    onState(live.state);
    if (live.isOpen()) onHello(live.hello, { reconnected: false });
    live.on("message", function (frame) {
      var c = frame.conversation;
      var m = frame.message;
      if (!c || !m) return;
      S.unread[c.id] = c.unread_for_user;
      remember(c);
      setLauncherLabel();
      if (S.current && S.current.id === c.id) {
        var atEnd = nearEnd();
        var shown = fromFrame(m);
        if (!shown.mine && shown.kind !== "system") showTyping(null, false);
        upsert(shown);
        applyConversation(c);
        if (atEnd || shown.mine) scrollToEnd();
        markRead();
      } else if (!S.current && c.status !== CLOSED && startFormIsEmpty()) {
        // The store wrote first: show it.
        showThread(Object.assign({ href: cfg.messagesUrl + "/" + c.id + "/" }, c));
        if (S.open) loadHistory();
      }
    });
    live.on("conversation", function (frame) {
      if (frame.conversation) applyConversation(frame.conversation);
    });
    live.on("receipt", function (frame) {
      if (frame.side === "store" && S.current && frame.conversation_id === S.current.id) {
        if (frame.state === "seen") S.storeReadUpTo = Math.max(S.storeReadUpTo, frame.up_to);
        else S.storeDeliveredUpTo = Math.max(S.storeDeliveredUpTo, frame.up_to);
        receipts();
      } else if (frame.side === "customer" && frame.state === "seen") {
        S.unread[frame.conversation_id] = 0;
        setLauncherLabel();
      }
    });
    live.on("typing", function (frame) {
      if (!S.current || frame.conversation_id !== S.current.id || !frame.user || frame.user.side === "customer") return;
      showTyping(frame.user.name, frame.typing);
    });
    live.on("message_deleted", function (frame) {
      var li = S.byId[frame.message_id];
      if (!li) return;
      delete S.reactions[frame.message_id];
      li.classList.add("scw-removed");
      li.dataset.reactable = "";
      li.querySelectorAll(".scw-react, .scw-picker, .scw-reactions, .scw-edited").forEach(function (n) { n.remove(); });
      var bubble = li.querySelector(".scw-bubble");
      if (bubble) bubble.textContent = "This message was removed.";
    });
    live.on("message_edited", function (frame) {
      if (frame.message && S.byId[frame.message.id]) upsert(fromFrame(frame.message));
    });
    live.on("reaction", function (frame) {
      if (!S.current || frame.conversation_id !== S.current.id) return;
      var state = S.reactions[frame.message_id] || (S.reactions[frame.message_id] = {});
      var s = state[frame.emoji] || (state[frame.emoji] = { count: 0, mine: false });
      s.count = Math.max(0, s.count + (frame.added ? 1 : -1));
      if (S.user && frame.user && frame.user.id === S.user.id && frame.user.side === S.user.side) s.mine = !!frame.added;
      var li = S.byId[frame.message_id];
      if (!li) return;
      var atEnd = nearEnd();
      drawReactions(li);
      if (atEnd) scrollToEnd();
    });
    live.on("presence", function (frame) {
      if (frame.user && frame.user.side === "store") setStoreOnline(!!frame.online);
    });
    // Too much was missed for the server to replay: fetch it.
    live.on("reload", function (frame) {
      if (S.current && frame.conversation_id === S.current.id) reloadHistory();
    });
    live.on("conversations_deleted", function (frame) {
      if (S.current && (frame.ids || []).indexOf(S.current.id) >= 0) showStart();
    });
  }

  function startFormIsEmpty() {
    return !S.startForm || !S.startForm.isConnected || Array.prototype.every.call(S.startForm.querySelectorAll("input, textarea"), function (f) { return !f.value.trim(); });
  }

  /**
   * After a reconnect: unread counts of every conversation, and the status
   * and read cursor of the one shown (a `seen` receipt may have been missed).
   * Its messages come from `resume`, not from here.
   */
  function refreshUnread() {
    api("/conversations.json").then(function (list) {
      S.unread = {};
      list.conversations.forEach(function (c) {
        S.unread[c.id] = c.unread_for_user;
        remember(c);
        if (S.current && c.id === S.current.id) applyConversation(c);
      });
      setLauncherLabel();
    }, function () {});
  }

  function loadLive() {
    return new Promise(function (resolve, reject) {
      if (window.StorechatLive) return resolve(window.StorechatLive);
      var s = document.createElement("script");
      s.src = asset("storechat-live.js");
      s.onload = function () { resolve(window.StorechatLive); };
      s.onerror = reject;
      document.head.appendChild(s);
    });
  }

  function showAway(availability) {
    if (!availability || availability.open) {
      away.hidden = true;
      return;
    }
    away.textContent = "";
    var text = el("p", null, availability.away_message || "We're away right now.");
    away.appendChild(text);
    if (availability.back_at) {
      var back = new Date(availability.back_at);
      var when = back.toLocaleString([], { weekday: "long", hour: "2-digit", minute: "2-digit" });
      away.appendChild(el("p", "scw-away-back", "Back " + when + "."));
    }
    away.hidden = false;
  }

  // ---- start ----
  // widget.json first: staff may have turned the widget off (it then
  // leaves the page), and outside business hours it shows the away message.
  function start(was) {
    fetch(cfg.messagesUrl + "/widget.json", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { enabled: true }; })
      .catch(function () { return { enabled: true }; })
      .then(function (w) {
        if (w.enabled === false) return root.remove();
        showAway(w.availability);
        startChat(was);
      });
  }

  /** `was`: what the page before remembered (open, which conversation). */
  function startChat(was) {
    api("/conversations.json").then(function (list) {
      S.signedIn = true;
      list.conversations.forEach(function (c) {
        S.unread[c.id] = c.unread_for_user;
        remember(c);
      });
      var open = list.conversations.filter(function (c) { return c.status !== CLOSED; });
      var pick = open.filter(function (c) { return c.id === was.conversation; })[0] || open[0];
      liveReady = loadLive().then(function (Live) {
        connect(Live);
        return live;
      });
      liveReady.catch(function () { offline.hidden = false; });
      if (pick) showThread(pick);
      else showStart();
      setLauncherLabel();
    }, function (err) {
      if (err && err.status === 403) return root.remove(); // staff and vendors answer in the admin
      if (err && err.signedOut) showSignedOut();
      else showUnavailable();
    });
  }

  function mount() {
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = asset("storechat-widget.css");
    css.onload = css.onerror = function () { root.hidden = false; };
    document.head.appendChild(css);
    document.body.appendChild(root);
    setLauncherLabel();
    // Open again at once if it was open before the page changed: restoring
    // it only after the loads would flash, and a click meanwhile would
    // toggle it the wrong way.
    var was = saved();
    if (was.open) setOpen(true, true);
    start(was);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mount);
  else mount();
})();
