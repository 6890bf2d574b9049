// storechat-pages.js: live updates on the plugin's own pages, over the
// WebSocket (storechat-live.js, loaded from the same folder). The pages work
// without it; this only adds what happens while they are open:
//
//   data-sc-live="customer-thread" / "admin-change": new messages appear in
//     the server's markup, "… is typing", receipts turn Sent → Seen, the
//     status chip follows, arriving messages are marked read while the page
//     is visible, and typing in the reply box is shown to the other side.
//   data-sc-live="customer-list" / "admin-list": unread badges, status, last
//     message of the rows on the page; a "New activity" notice otherwise.
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

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
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

  // ---------------------------------------------------------------- threads
  function thread() {
    var list = root.querySelector(".sc-messages");
    var reply = root.querySelector("form.sc-reply");
    var input = reply && reply.querySelector("textarea");
    var csrf = reply && reply.querySelector("input[name=csrf_token]");
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
      if (system) {
        var line = el("div", "sc-msg-system", m.body + " · ");
        line.appendChild(timeEl(m.created_at));
        li.appendChild(line);
        return li;
      }
      li.appendChild(el("div", "sc-msg-sender", senderName(m)));
      li.appendChild(el("div", "sc-bubble", m.body));
      var meta = el("div", "sc-msg-meta");
      meta.appendChild(timeEl(m.created_at));
      if (mine) {
        meta.appendChild(document.createTextNode(" · "));
        meta.appendChild(el("span", "sc-receipt sc-receipt-sent", "Sent"));
      }
      if (admin && m.sender_side === "customer" && m.id > c.admin_read_up_to) li.classList.add("sc-msg-unread");
      if (admin) {
        meta.appendChild(inlineForm(base + "/" + c.id + "/messages/" + m.id + "/remove/", "Remove", true,
          "Remove this message? It stays in the records but is no longer shown."));
      }
      li.appendChild(meta);
      receipt(li, c);
      return li;
    }

    function receipt(li, c) {
      var r = li.querySelector(".sc-receipt");
      var id = Number(li.id.slice(1));
      var upTo = admin ? c.user_read_up_to : c.admin_read_up_to;
      if (r && id <= upTo && r.textContent !== "Seen") {
        r.textContent = "Seen";
        r.className = "sc-receipt sc-receipt-seen";
      }
    }

    function seenUpTo(upTo) {
      list.querySelectorAll(".sc-msg-mine").forEach(function (li) {
        receipt(li, admin ? { user_read_up_to: upTo } : { admin_read_up_to: upTo });
      });
    }

    function readByStore(upTo) {
      list.querySelectorAll(".sc-msg-unread").forEach(function (li) {
        if (Number(li.id.slice(1)) > upTo) return;
        li.classList.remove("sc-msg-unread");
        li.querySelectorAll("form").forEach(function (f) {
          if (/\/read\/$/.test(f.getAttribute("action") || "")) f.remove();
        });
      });
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
     * page's own markup is fetched again and merged in. Messages are added,
     * receipts and read marks only move forward; nothing is removed.
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
            if (!had) return insert(document.importNode(li, true));
            if (li.querySelector(".sc-receipt-seen")) seenUpTo(Number(li.id.slice(1)));
            if (!li.classList.contains("sc-msg-unread")) readByStore(Number(li.id.slice(1)));
          });
          var chip = fresh.querySelector("[data-sc-live] .sc-head .sc-status");
          var status = chip && /sc-status-([a-z-]+)/.exec(chip.className);
          if (status) setStatus(status[1].toUpperCase().replace(/-/g, "_"));
        })
        .catch(function () {});
    }

    /** Into the history in id order. */
    function insert(li) {
      var id = Number(li.id.slice(1));
      var after = list.lastElementChild;
      while (after && Number(after.id.slice(1)) > id) after = after.previousElementSibling;
      list.insertBefore(li, after ? after.nextElementSibling : list.firstElementChild);
    }

    live.on("hello", function () {
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
      if (frame.conversation_id !== conversationId || frame.state !== "seen") return;
      var otherSide = admin ? "customer" : "store";
      if (frame.side === otherSide) seenUpTo(frame.up_to);
      else if (admin) readByStore(frame.up_to);
    });
    live.on("typing", function (frame) {
      if (frame.conversation_id !== conversationId || !frame.user) return;
      if (me && frame.user.id === me.id && frame.user.side === me.side) return; // my other tab
      showTyping(frame.user.name, frame.typing);
    });
    live.on("message_deleted", function (frame) {
      var li = frame.conversation_id === conversationId && document.getElementById("m" + frame.message_id);
      var bubble = li && li.querySelector(".sc-bubble");
      if (!bubble) return;
      bubble.textContent = "";
      bubble.appendChild(el("em", "sc-removed", "This message was removed."));
    });
    live.on("message_edited", function (frame) {
      var m = frame.message;
      var li = m && document.getElementById("m" + m.id);
      var bubble = li && li.querySelector(".sc-bubble");
      if (!bubble || m.deleted_at) return;
      bubble.textContent = m.body;
      var meta = li.querySelector(".sc-msg-meta time");
      if (meta && !li.querySelector(".sc-edited")) meta.insertAdjacentElement("afterend", el("span", "sc-edited", " · edited"));
    });
  }

  // ------------------------------------------------------------------ lists
  function rows() {
    var unreadHeading = root.querySelector("h1.sc-title .sc-badge");

    function rowOf(id) {
      if (admin) return root.querySelector('tr[data-id="' + id + '"]');
      var link = Array.prototype.find.call(root.querySelectorAll(".sc-row-link"), function (a) {
        return new RegExp("/" + id + "/$").test(a.getAttribute("href") || "");
      });
      return link ? link.closest(".sc-row") : null;
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
          var preview = row.querySelector(".sc-row-preview");
          if (preview) preview.textContent = (c.last_message_side === "customer" ? "You: " : "") + c.last_message_preview;
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

    live.on("hello", function (frame, info) {
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
    live.on("state", function (state) {
      root.setAttribute("data-sc-live-state", state);
    });
    live.on("hello", function (frame) {
      me = frame.user || null;
    });
    if (kind === "customer-thread" || kind === "admin-change") {
      if (conversationId) thread();
    } else {
      rows();
    }
  }

  if (window.StorechatLive) return start();
  var src = new URL(script.src, location.href);
  var s = document.createElement("script");
  s.src = new URL("storechat-live.js" + src.search, src).href;
  s.onload = start;
  document.head.appendChild(s);
})();
