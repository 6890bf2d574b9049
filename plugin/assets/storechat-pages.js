// storechat-pages.js: live updates on the plugin's own pages, over the
// WebSocket (storechat-live.js, loaded from the same folder). The pages work
// without it; this only adds what happens while they are open:
//
//   data-sc-live="customer-thread" / "admin-change": new messages appear in
//     the server's markup; edits, removals and reactions follow; "… is
//     typing"; receipts go Sent (one check) → Delivered (two) → Seen (two,
//     filled); the status chip follows; arriving messages are marked read
//     while the page is visible; typing in the reply box is shown to the
//     other side; a React button under each message offers the six
//     reactions of the protocol, and a reaction chip toggles your own.
//   data-sc-live="customer-list" / "admin-list": unread badges, status, last
//     message of the rows on the page (its preview follows edits and
//     removals); a "New activity" notice otherwise.
//
// storechat-live.js answers arriving messages with `delivered` and keeps
// the host's own badges (data-storechat-unread) up to date.
//
// Message text is always inserted as text.
(function () {
  "use strict";
  var script = document.currentScript;
  var root = document.querySelector("[data-sc-live]");
  if (!root || !script || !window.WebSocket || window.StorechatPages) return;
  window.StorechatPages = true;

  var kind = root.getAttribute("data-sc-live");
  var admin = kind.indexOf("admin") === 0;
  var conversationId = Number(root.getAttribute("data-conversation-id")) || null;
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var ADMIN_LABELS = { OPEN: "Open", AWAITING_ADMIN: "Awaiting store", AWAITING_USER: "Awaiting customer", RESOLVED: "Resolved", CLOSED: "Closed" };
  var CUSTOMER_LABELS = { OPEN: "Waiting for the store", AWAITING_ADMIN: "Waiting for the store", AWAITING_USER: "Store replied", RESOLVED: "Resolved", CLOSED: "Closed" };
  var CSS = { OPEN: "open", AWAITING_ADMIN: "awaiting-admin", AWAITING_USER: "awaiting-user", RESOLVED: "resolved", CLOSED: "closed" };
  // The protocol's reactions, in menu order: [name, emoji, label].
  var REACTIONS = [
    ["thumbs_up", "\u{1F44D}", "Thumbs up"],
    ["heart", "\u2764\uFE0F", "Heart"],
    ["laughing", "\u{1F606}", "Laughing"],
    ["surprised", "\u{1F62E}", "Surprised"],
    ["sad", "\u{1F622}", "Sad"],
    ["fire", "\u{1F525}", "Fire"],
  ];
  var RECEIPT_TEXT = { sent: "Sent", delivered: "Delivered", seen: "Seen" };
  var RECEIPT_RANK = { sent: 1, delivered: 2, seen: 3 };
  var REMOVED = "This message was removed.";

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
  function parseTime(s) {
    if (s && !/(Z|[+-]\d\d:?\d\d)$/.test(s)) s += "Z";
    var d = s ? new Date(s) : new Date();
    return isNaN(d.getTime()) ? new Date() : d;
  }
  /** As the server writes it: "12 Mar 2026, 10:04 UTC". */
  function exactTime(d) {
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return d.getUTCDate() + " " + MONTHS[d.getUTCMonth()] + " " + d.getUTCFullYear() + ", " + pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + " UTC";
  }
  function timeEl(at) {
    var d = parseTime(at);
    var t = el("time", null, "just now");
    t.title = exactTime(d);
    return t;
  }
  /** One line of at most 140 characters, as the server's previews. */
  function previewText(text) {
    var flat = String(text || "").trim().split(/\s+/).join(" ");
    var chars = Array.from(flat);
    return chars.length <= 140 ? flat : chars.slice(0, 139).join("") + "…";
  }
  function statusLabel(status) {
    return (admin ? ADMIN_LABELS : CUSTOMER_LABELS)[status] || status;
  }
  function statusClass(status) {
    var css = CSS[status] || "open";
    // Customers see OPEN and AWAITING_ADMIN alike.
    if (!admin && status === "OPEN") css = CSS.AWAITING_ADMIN;
    return "sc-status sc-status-" + css;
  }
  function visible() {
    return document.visibilityState === "visible";
  }
  function notice(text, where) {
    var box = root.querySelector(".sc-live-notice");
    if (box) return;
    box = el("div", "sc-live-notice");
    box.setAttribute("role", "status");
    box.appendChild(document.createTextNode(text + " — "));
    var link = el("a", null, "refresh");
    link.href = location.href;
    box.appendChild(link);
    (where || root.querySelector(".sc-head")).insertAdjacentElement("afterend", box);
  }

  var live = null;
  var me = null;
  var helloFns = [];

  /** A hello listener of this page; run at once when the connection is already up. */
  function onHello(fn) {
    live.on("hello", fn);
    helloFns.push(fn);
  }

  function isMe(user) {
    return !!(me && user && user.id === me.id && user.side === me.side);
  }

  // ---------------------------------------------------------------- threads
  function thread() {
    var list = root.querySelector(".sc-messages");
    var reply = root.querySelector("form.sc-reply");
    var input = reply && reply.querySelector("textarea");
    var csrf = root.querySelector("input[name=csrf_token]");
    var base = root.getAttribute("data-base") || "";
    // An older page of the history: new messages do not belong here.
    var newest = !new URLSearchParams(location.search).has("before");
    var readOwed = false;
    var typingOn = false;
    var typingSentAt = 0;
    var typingIdle = null;
    var typingHide = null;

    var typingEl = el("p", "sc-typing");
    typingEl.hidden = true;
    typingEl.setAttribute("aria-live", "polite");
    if (list) list.insertAdjacentElement("afterend", typingEl);

    function idOf(li) {
      return Number(li.id.slice(1));
    }

    function isMine(m) {
      if (m.kind === "system" || m.sender_side === "system") return false;
      // In the admin, every store message is on the right, as the server draws it.
      return admin ? m.sender_side !== "customer" : m.sender_side === "customer";
    }

    function senderName(m) {
      var suffix = admin
        ? { customer: " · Customer", staff: " · Staff", vendor: " · Vendor" }
        : { staff: " · Store", vendor: " · Seller" };
      return m.sender_name + (suffix[m.sender_side] || "");
    }

    function inlineForm(action, label, danger, confirm) {
      var form = el("form", "sc-inline-form");
      form.method = "post";
      form.action = action;
      if (confirm) form.setAttribute("data-confirm", confirm);
      var token = el("input");
      token.type = "hidden";
      token.name = "csrf_token";
      token.value = csrf ? csrf.value : "";
      var b = el("button", "sc-link-button" + (danger ? " sc-danger-link" : ""), label);
      b.type = "submit";
      form.append(token, b);
      return form;
    }

    /** A message in the markup the server renders for this page. */
    function render(c, m) {
      var system = m.kind === "system" || m.sender_side === "system";
      var mine = isMine(m);
      var li = el("li", "sc-msg sc-msg-" + (system ? "system" : mine ? "mine" : "theirs"));
      li.id = "m" + m.id;
      var card = orderCard(m);
      if (card) {
        li.appendChild(orderCardEl(card));
        var stamp = li.appendChild(el("div", "sc-msg-system"));
        stamp.appendChild(timeEl(m.created_at));
        return li;
      }
      if (system) {
        var line = el("div", "sc-msg-system", m.body + " · ");
        line.appendChild(timeEl(m.created_at));
        li.appendChild(line);
        return li;
      }
      li.appendChild(el("div", "sc-msg-sender", senderName(m)));
      var bubble = li.appendChild(el("div", "sc-bubble", m.deleted_at ? null : m.body));
      if (m.deleted_at) bubble.appendChild(el("em", "sc-removed", REMOVED));
      if (m.kind === "text" && !m.deleted_at) {
        li.setAttribute("data-reactable", "");
        var box = li.appendChild(el("div", "sc-reactions"));
        box.hidden = true;
      }
      var meta = el("div", "sc-msg-meta");
      meta.appendChild(timeEl(m.created_at));
      if (m.edited_at) meta.appendChild(el("span", "sc-edited", " · edited"));
      if (mine) {
        meta.appendChild(document.createTextNode(" · "));
        meta.appendChild(el("span", "sc-receipt sc-receipt-sent", RECEIPT_TEXT.sent));
      }
      if (admin && m.sender_side === "customer" && m.id > c.admin_read_up_to) li.classList.add("sc-msg-unread");
      if (admin && !m.deleted_at) {
        meta.appendChild(inlineForm(base + "/" + c.id + "/messages/" + m.id + "/remove/", "Remove", true,
          "Remove this message? It stays in the records but is no longer shown."));
      }
      li.appendChild(meta);
      var readUpTo = admin ? c.user_read_up_to : c.admin_read_up_to;
      if (m.id <= readUpTo) setReceipt(li, "seen");
      return li;
    }

    // ---- receipts: they only ever move forward
    function setReceipt(li, state) {
      var r = li.querySelector(".sc-receipt");
      if (!r) return;
      var was = /sc-receipt-(sent|delivered|seen)/.exec(r.className);
      if (was && RECEIPT_RANK[was[1]] >= RECEIPT_RANK[state]) return;
      r.className = "sc-receipt sc-receipt-" + state;
      r.textContent = RECEIPT_TEXT[state];
    }

    function receiptsUpTo(upTo, state) {
      list.querySelectorAll(".sc-msg-mine[id]").forEach(function (li) {
        if (idOf(li) <= upTo) setReceipt(li, state);
      });
    }

    function readByStore(upTo) {
      list.querySelectorAll(".sc-msg-unread").forEach(function (li) {
        if (idOf(li) > upTo) return;
        li.classList.remove("sc-msg-unread");
        li.querySelectorAll("form").forEach(function (f) {
          if (/\/read\/$/.test(f.getAttribute("action") || "")) f.remove();
        });
      });
    }

    // ---- reactions
    /** The reactions of a message: { name: { count, mine } }, read once from the server's chips. */
    function reactionsOf(li) {
      if (!li._reactions) li._reactions = chipsOf(li);
      return li._reactions;
    }

    function chipsOf(li) {
      var state = {};
      li.querySelectorAll(".sc-reactions [data-emoji]").forEach(function (chip) {
        state[chip.getAttribute("data-emoji")] = {
          count: Number(chip.getAttribute("data-count")) || 0,
          mine: chip.classList.contains("sc-reaction-mine"),
        };
      });
      return state;
    }

    /** The chips as buttons: pressing one gives or takes back that reaction. */
    function drawReactions(li) {
      var box = li.querySelector(".sc-reactions");
      if (!box) return;
      var state = reactionsOf(li);
      var canReact = li.hasAttribute("data-reactable");
      box.textContent = "";
      REACTIONS.forEach(function (r) {
        var s = state[r[0]];
        if (!s || s.count <= 0) return;
        var b = el("button", "sc-reaction" + (s.mine ? " sc-reaction-mine" : ""));
        b.type = "button";
        b.disabled = !canReact;
        b.setAttribute("data-emoji", r[0]);
        b.setAttribute("data-count", String(s.count));
        b.setAttribute("aria-pressed", String(s.mine));
        b.setAttribute("aria-label", r[2] + ": " + s.count + (s.mine ? ", including you" : ""));
        b.title = r[2] + (s.mine ? " · you reacted; press to take it back" : " · press to react too");
        b.append(r[1] + " ", el("span", "sc-reaction-count", String(s.count)));
        box.appendChild(b);
      });
      box.hidden = !box.childElementCount;
      var picker = li.querySelector(".sc-react-picker");
      if (picker) {
        picker.querySelectorAll("[data-emoji]").forEach(function (b) {
          var s = state[b.getAttribute("data-emoji")];
          b.setAttribute("aria-pressed", String(!!(s && s.mine)));
        });
      }
    }

    function addReactButton(li) {
      if (!li.hasAttribute("data-reactable") || li.querySelector(".sc-react-toggle")) return;
      var meta = li.querySelector(".sc-msg-meta");
      if (!meta) return;
      if (!li.querySelector(".sc-reactions")) {
        var box = el("div", "sc-reactions");
        box.hidden = true;
        li.insertBefore(box, meta);
      }
      var b = el("button", "sc-link-button sc-react-toggle", "React");
      b.type = "button";
      b.setAttribute("aria-expanded", "false");
      b.title = "Add a reaction";
      meta.insertBefore(b, meta.querySelector("form"));
    }

    function closePickers(except) {
      list.querySelectorAll(".sc-react-picker").forEach(function (p) {
        if (p === except) return;
        var t = p.parentNode.querySelector(".sc-react-toggle");
        if (t) t.setAttribute("aria-expanded", "false");
        p.remove();
      });
    }

    function openPicker(li) {
      var open = li.querySelector(".sc-react-picker");
      closePickers(null);
      if (open) return;
      var picker = el("div", "sc-react-picker");
      picker.setAttribute("role", "group");
      picker.setAttribute("aria-label", "React to this message");
      var state = reactionsOf(li);
      REACTIONS.forEach(function (r) {
        var b = el("button", "sc-react-choice", r[1]);
        b.type = "button";
        b.setAttribute("data-emoji", r[0]);
        b.setAttribute("aria-label", r[2]);
        b.setAttribute("aria-pressed", String(!!(state[r[0]] && state[r[0]].mine)));
        b.title = r[2];
        picker.appendChild(b);
      });
      li.querySelector(".sc-msg-meta").insertAdjacentElement("afterend", picker);
      li.querySelector(".sc-react-toggle").setAttribute("aria-expanded", "true");
      picker.firstChild.focus({ preventScroll: true });
    }

    function react(li, emoji) {
      var s = reactionsOf(li)[emoji];
      var frame = { type: s && s.mine ? "unreact" : "react", message_id: idOf(li), emoji: emoji };
      // The `reaction` frame that follows updates the chips, here and everywhere.
      live.send(frame).catch(function (error) {
        var meta = li.querySelector(".sc-msg-meta");
        if (!meta || meta.querySelector(".sc-react-error")) return;
        var line = el("span", "sc-react-error", " " + ((error && error.message) || "That did not work; try again."));
        line.setAttribute("role", "alert");
        meta.appendChild(line);
        setTimeout(function () { line.remove(); }, 5000);
      });
    }

    if (list) {
      list.addEventListener("click", function (event) {
        var target = event.target.closest && event.target.closest("button");
        var li = target && target.closest("li.sc-msg[id]");
        if (!li) return;
        if (target.classList.contains("sc-react-toggle")) return openPicker(li);
        if (target.hasAttribute("data-emoji")) {
          react(li, target.getAttribute("data-emoji"));
          if (target.classList.contains("sc-react-choice")) {
            closePickers(null);
            var toggle = li.querySelector(".sc-react-toggle");
            if (toggle) toggle.focus({ preventScroll: true });
          }
        }
      });
      list.addEventListener("keydown", function (event) {
        if (event.key !== "Escape") return;
        var picker = event.target.closest && event.target.closest(".sc-react-picker");
        if (!picker) return;
        var toggle = picker.parentNode.querySelector(".sc-react-toggle");
        closePickers(null);
        if (toggle) toggle.focus({ preventScroll: true });
      });
      document.addEventListener("click", function (event) {
        if (!event.target.closest || !event.target.closest(".sc-react-picker, .sc-react-toggle")) closePickers(null);
      });
    }

    /** Live controls on a message of the server's markup or of render(). */
    function decorate(li) {
      if (!li.hasAttribute("data-reactable")) return;
      addReactButton(li);
      drawReactions(li);
    }

    // ---- edits and removals
    function showEdited(li, body) {
      var bubble = li.querySelector(".sc-bubble");
      if (!bubble || li.querySelector(".sc-bubble .sc-removed")) return;
      bubble.textContent = body;
      var time = li.querySelector(".sc-msg-meta time");
      if (time && !li.querySelector(".sc-edited")) time.insertAdjacentElement("afterend", el("span", "sc-edited", " · edited"));
    }

    function showRemoved(li) {
      var bubble = li.querySelector(".sc-bubble");
      if (!bubble) return;
      bubble.textContent = "";
      bubble.appendChild(el("em", "sc-removed", REMOVED));
      li.removeAttribute("data-reactable");
      li.querySelectorAll(".sc-reactions, .sc-react-picker, .sc-react-toggle").forEach(function (n) { n.remove(); });
      if (!admin) return;
      // Nothing left to read or to remove; the record says it was removed.
      li.classList.remove("sc-msg-unread");
      li.querySelectorAll(".sc-msg-meta form").forEach(function (f) { f.remove(); });
      var meta = li.querySelector(".sc-msg-meta");
      if (meta && !meta.querySelector(".sc-removed-mark")) {
        var time = meta.querySelector("time");
        var mark = el("span", "sc-removed-mark", " · removed");
        if (time) time.insertAdjacentElement("afterend", mark);
        else meta.appendChild(mark);
      }
    }

    function setStatus(status) {
      var chip = root.querySelector(".sc-head .sc-status");
      if (!chip) return;
      chip.className = statusClass(status);
      chip.textContent = statusLabel(status);
      // The admin form's status follows, unless someone already picked one.
      var select = reply && reply.querySelector("select[name=status]");
      var was = reply && reply.querySelector("input[name=status_was]");
      if (select && was && select.value === was.value) select.value = was.value = status;
      if (!admin && reply) {
        var closed = status === "CLOSED";
        reply.hidden = closed;
        var box = root.querySelector(".sc-live-closed");
        if (closed && !box) {
          box = el("div", "sc-card sc-closed sc-live-closed");
          box.setAttribute("role", "status");
          var p = el("p");
          p.appendChild(el("strong", null, "This conversation is closed."));
          p.appendChild(document.createTextNode(" You can still read it, but no new messages can be added."));
          box.appendChild(p);
          reply.insertAdjacentElement("afterend", box);
        } else if (!closed && box) {
          box.remove();
        }
      }
    }

    function markRead() {
      if (!readOwed || !visible() || !newest) return;
      if (live.notify({ type: "read", conversation_id: conversationId })) readOwed = false;
    }
    document.addEventListener("visibilitychange", markRead);
    window.addEventListener("focus", markRead);

    function showTyping(name, on) {
      clearTimeout(typingHide);
      typingEl.hidden = !on;
      typingEl.textContent = name + " is typing…";
      if (on) typingHide = setTimeout(function () { typingEl.hidden = true; }, 6000);
    }

    function stopTyping() {
      clearTimeout(typingIdle);
      if (typingOn) live.notify({ type: "typing", conversation_id: conversationId, typing: false });
      typingOn = false;
    }
    if (input) {
      input.addEventListener("input", function () {
        if (!input.value.trim()) return stopTyping();
        var now = Date.now();
        if (!typingOn || now - typingSentAt > 2500) {
          typingOn = live.notify({ type: "typing", conversation_id: conversationId, typing: true });
          typingSentAt = now;
        }
        clearTimeout(typingIdle);
        typingIdle = setTimeout(stopTyping, 3000);
      });
      input.addEventListener("blur", stopTyping);
      reply.addEventListener("submit", stopTyping);
    }

    /**
     * Catches up with what happened before the connection was there (between
     * the page's rendering and the first hello, or while reconnecting): the
     * page's own markup is fetched again and merged in. Messages are added;
     * edits, removals and reactions are taken over; receipts and read marks
     * only move forward.
     */
    function catchUp() {
      if (!newest) return;
      fetch(location.href, { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) {
          // The server's own rendering, escaped by it (as the admin preview is).
          var fresh = new DOMParser().parseFromString(html, "text/html");
          fresh.querySelectorAll("[data-sc-live] .sc-messages > li[id]").forEach(function (li) {
            var had = document.getElementById(li.id);
            if (!had) {
              var added = document.importNode(li, true);
              insert(added);
              return decorate(added);
            }
            var id = idOf(li);
            if (li.querySelector(".sc-receipt-seen")) receiptsUpTo(id, "seen");
            if (!li.classList.contains("sc-msg-unread")) readByStore(id);
            if (li.querySelector(".sc-bubble .sc-removed")) return showRemoved(had);
            var bubble = li.querySelector(".sc-bubble");
            if (bubble && li.querySelector(".sc-edited")) showEdited(had, bubble.textContent);
            if (had.hasAttribute("data-reactable")) {
              had._reactions = chipsOf(li);
              drawReactions(had);
            }
          });
          var chip = fresh.querySelector("[data-sc-live] .sc-head .sc-status");
          var status = chip && /sc-status-([a-z-]+)/.exec(chip.className);
          if (status) setStatus(status[1].toUpperCase().replace(/-/g, "_"));
        })
        .catch(function () {});
    }

    /** Into the history in id order. */
    function insert(li) {
      var id = idOf(li);
      var after = list.lastElementChild;
      while (after && idOf(after) > id) after = after.previousElementSibling;
      list.insertBefore(li, after ? after.nextElementSibling : list.firstElementChild);
    }

    if (list) list.querySelectorAll("li.sc-msg[id]").forEach(decorate);

    onHello(function () {
      if (visible()) return catchUp();
      document.addEventListener("visibilitychange", function once() {
        if (!visible()) return;
        document.removeEventListener("visibilitychange", once);
        catchUp();
      });
    });

    live.on("message", function (frame) {
      var c = frame.conversation;
      var m = frame.message;
      if (!c || !m || c.id !== conversationId) return;
      setStatus(c.status);
      if (!newest || document.getElementById("m" + m.id)) return;
      var li = render(c, m);
      var atEnd = window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 120;
      insert(li);
      decorate(li);
      li.classList.add("sc-msg-live");
      if (!isMine(m) && m.kind !== "system") {
        typingEl.hidden = true;
        readOwed = true;
        markRead();
      }
      if (atEnd) li.scrollIntoView({ block: "nearest" });
    });
    live.on("conversation", function (frame) {
      if (frame.conversation && frame.conversation.id === conversationId) setStatus(frame.conversation.status);
    });
    live.on("reload", function (frame) {
      if (frame.conversation_id === conversationId) catchUp();
    });
    live.on("receipt", function (frame) {
      if (frame.conversation_id !== conversationId) return;
      var otherSide = admin ? "customer" : "store";
      if (frame.side === otherSide) receiptsUpTo(frame.up_to, frame.state === "seen" ? "seen" : "delivered");
      else if (admin && frame.state === "seen") readByStore(frame.up_to);
    });
    live.on("typing", function (frame) {
      if (frame.conversation_id !== conversationId || !frame.user) return;
      if (isMe(frame.user)) return; // my other tab
      showTyping(frame.user.name, frame.typing);
    });
    live.on("message_deleted", function (frame) {
      var li = frame.conversation_id === conversationId && document.getElementById("m" + frame.message_id);
      if (li) showRemoved(li);
    });
    live.on("message_edited", function (frame) {
      var m = frame.message;
      var li = m && frame.conversation_id === conversationId && document.getElementById("m" + m.id);
      if (!li) return;
      if (m.deleted_at) showRemoved(li);
      else showEdited(li, m.body);
    });
    live.on("reaction", function (frame) {
      var li = frame.conversation_id === conversationId && document.getElementById("m" + frame.message_id);
      if (!li || !li.querySelector(".sc-reactions")) return;
      var state = reactionsOf(li);
      var s = state[frame.emoji] || (state[frame.emoji] = { count: 0, mine: false });
      s.count = Math.max(0, s.count + (frame.added ? 1 : -1));
      if (isMe(frame.user)) s.mine = !!frame.added;
      drawReactions(li);
    });
  }

  // ------------------------------------------------------------------ lists
  function rows() {
    var unreadHeading = root.querySelector("h1.sc-title .sc-badge");

    function rowOf(id) {
      if (admin) return root.querySelector('tr[data-id="' + id + '"]');
      return root.querySelector('.sc-row[data-id="' + id + '"]');
    }

    function flash(row) {
      row.classList.remove("sc-row-live");
      void row.offsetWidth; // restart the animation
      row.classList.add("sc-row-live");
    }

    function setHeadingBy(delta) {
      if (!delta) return;
      var now = (unreadHeading ? Number(unreadHeading.textContent) || 0 : 0) + delta;
      if (now <= 0) {
        if (unreadHeading) unreadHeading.remove();
        unreadHeading = null;
        return;
      }
      if (!unreadHeading) {
        unreadHeading = el("span", "sc-badge");
        unreadHeading.title = "Unread customer messages";
        var h1 = root.querySelector("h1.sc-title");
        h1.append(" ", unreadHeading);
      }
      unreadHeading.textContent = now > 99 ? "99+" : String(now);
    }

    function adminUnread(row, n) {
      var cell = row.querySelector("td.sc-col-unread > *");
      if (cell) {
        setHeadingBy(n - (Number(cell.textContent) || 0));
        cell.textContent = String(n);
        cell.className = "sc-count " + (n > 0 ? "sc-count-unread" : "sc-count-read");
      }
      row.classList.toggle("sc-row-unread", n > 0);
    }

    function customerUnread(row, n) {
      var top = row.querySelector(".sc-row-top");
      var badge = top && top.querySelector(".sc-badge");
      if (n > 0) {
        if (!badge && top) {
          badge = el("span", "sc-badge");
          top.appendChild(badge);
        }
        if (badge) {
          badge.textContent = n > 99 ? "99+" : String(n);
          badge.setAttribute("aria-label", badge.textContent + " unread");
        }
      } else if (badge) {
        badge.remove();
      }
      row.classList.toggle("sc-row-unread", n > 0);
    }

    /** The customer list's preview line, as the server writes it. */
    function setPreview(row, side, text) {
      var preview = row.querySelector(".sc-row-preview");
      if (preview) preview.textContent = (side === "customer" ? "You: " : "") + text;
    }

    function update(c, m) {
      var row = rowOf(c.id);
      if (!row) return notice("New activity", root.querySelector(".sc-head"));
      if (admin) {
        adminUnread(row, c.unread_for_admin);
        var status = row.querySelector("td.sc-col-status > *");
        if (status) {
          status.textContent = statusLabel(c.status);
          status.className = statusClass(c.status);
        }
        var count = row.querySelector("td.sc-col-messages > *");
        if (count) count.textContent = String(c.message_count);
        var assignee = row.querySelector("td.sc-col-assignee > *");
        if (assignee) {
          assignee.textContent = c.assignee_name || "Unassigned";
          assignee.className = c.assignee_name ? "" : "sc-muted";
        }
        if (m) {
          var when = row.querySelector("td.sc-col-last_message > *");
          if (when) {
            when.textContent = "just now";
            when.title = exactTime(parseTime(c.last_message_at));
          }
        }
      } else {
        customerUnread(row, c.unread_for_user);
        var chip = row.querySelector(".sc-status");
        if (chip) {
          chip.textContent = statusLabel(c.status);
          chip.className = statusClass(c.status);
        }
        if (m) {
          setPreview(row, c.last_message_side, c.last_message_preview);
          if (c.last_message_id) row.setAttribute("data-last-message-id", String(c.last_message_id));
          var time = row.querySelector(".sc-row-time");
          if (time) {
            time.textContent = "just now";
            time.title = exactTime(parseTime(c.last_message_at));
          }
          // Newest activity first, as the server sorts it (on the first page).
          if (m.kind !== "system" && !new URLSearchParams(location.search).has("after")) row.parentNode.prepend(row);
        }
      }
      flash(row);
    }

    /** The row whose preview quotes this message, on the customer's list. */
    function quoting(conversationId, messageId) {
      var row = !admin && rowOf(conversationId);
      return row && row.getAttribute("data-last-message-id") === String(messageId) ? row : null;
    }

    onHello(function (frame, info) {
      if (info.reconnected) notice("You were offline for a moment", root.querySelector(".sc-head"));
    });
    live.on("message", function (frame) {
      if (frame.conversation) update(frame.conversation, frame.message);
    });
    live.on("conversation", function (frame) {
      if (frame.conversation) update(frame.conversation, null);
    });
    live.on("receipt", function (frame) {
      if (frame.state !== "seen" || frame.side !== (admin ? "store" : "customer")) return;
      var row = rowOf(frame.conversation_id);
      if (row) (admin ? adminUnread : customerUnread)(row, 0);
    });
    live.on("message_edited", function (frame) {
      var m = frame.message;
      var row = m && !m.deleted_at && quoting(frame.conversation_id, m.id);
      if (row) setPreview(row, m.sender_side, previewText(m.body));
    });
    live.on("message_deleted", function (frame) {
      var row = quoting(frame.conversation_id, frame.message_id);
      var preview = row && row.querySelector(".sc-row-preview");
      // "You: " stays when it was hers, as the server shows it after a reload.
      if (preview) preview.textContent = (/^You: /.test(preview.textContent) ? "You: " : "") + REMOVED;
    });
    live.on("conversations_deleted", function (frame) {
      (frame.ids || []).forEach(function (id) {
        var row = rowOf(id);
        if (row) row.remove();
      });
    });
  }

  // ------------------------------------------------------------------ start
  function start() {
    live = window.StorechatLive.connect({ url: root.getAttribute("data-ws-url") || undefined });
    me = live.user;
    live.on("state", function (state) {
      root.setAttribute("data-sc-live-state", state);
    });
    onHello(function (frame) {
      me = frame.user || null;
    });
    if (kind === "customer-thread" || kind === "admin-change") {
      if (conversationId) thread();
    } else {
      rows();
    }
    // The host's own script (for its badges) may have connected first.
    root.setAttribute("data-sc-live-state", live.state);
    if (live.isOpen()) helloFns.forEach(function (fn) { fn(live.hello, { reconnected: false }); });
  }

  if (window.StorechatLive) return start();
  var src = new URL(script.src, location.href);
  var s = document.createElement("script");
  s.src = new URL("storechat-live.js" + src.search, src).href;
  s.onload = start;
  document.head.appendChild(s);
})();