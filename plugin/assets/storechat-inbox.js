// storechat-inbox.js: the staff inbox (admin-templates/conversation_inbox.html),
// live over the WebSocket (storechat-live.js, loaded from the same folder).
// The page works without it: rows are links, actions are forms. This adds:
//
//   the list: search as you type and the unread toggle without a reload
//     (rows.json), more rows on demand, and live rows: a new message moves
//     its conversation to the top with its badge ("99+" above 99), status
//     and preview follow, "typing…" shows in the row;
//   the open conversation: switching without a reload, earlier pages
//     (history.json), messages as they arrive, "… is typing", receipts
//     (one check sent, two delivered, filled seen), edits, removals and
//     reactions as they happen, and arriving messages marked read while the
//     page is visible;
//   the reply box: Enter sends over the socket (Shift+Enter for a new line);
//     the hover actions reply with a quote, edit and delete one's own
//     message, and react, all as protocol frames.
//
// Whenever the socket is not connected, forms post as they would without
// JavaScript. Text from people is always inserted as text.
(function () {
  "use strict";
  var script = document.currentScript;
  var root = document.querySelector("[data-sci]");
  if (!root || !script || !window.fetch || window.StorechatInbox) return;
  window.StorechatInbox = true;
  root.classList.add("sci-js");

  var base = root.getAttribute("data-base") || "";
  var me = root.getAttribute("data-me") || "";
  var csrf = root.getAttribute("data-csrf") || "";
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var LABELS = { OPEN: "Open", AWAITING_ADMIN: "Awaiting store", AWAITING_USER: "Awaiting customer", RESOLVED: "Resolved", CLOSED: "Closed" };
  var CSS = { OPEN: "open", AWAITING_ADMIN: "awaiting-admin", AWAITING_USER: "awaiting-user", RESOLVED: "resolved", CLOSED: "closed" };
  var RECEIPTS = ["pending", "sent", "delivered", "seen"];
  var RECEIPT_WORDS = { pending: "Sending", sent: "Sent", delivered: "Delivered", seen: "Seen" };
  var WIDE = window.matchMedia("(min-width: 1260px)");

  var list = {
    q: root.getAttribute("data-q") || "",
    unread: root.getAttribute("data-unread") === "1",
    after: new URLSearchParams(location.search).get("after"),
    loading: 0,
  };
  var open = null; // the open conversation: { id, readOwed, typingOn, ... }
  var live = null;
  var compose = { replyTo: null, edit: null };

  // ------------------------------------------------------------ helpers
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
  function $(selector, from) {
    return (from || root).querySelector(selector);
  }
  function $$(selector, from) {
    return Array.prototype.slice.call((from || root).querySelectorAll(selector));
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
  /** As the server words it (web/format.rs). */
  function relative(d) {
    var s = Math.max(0, (Date.now() - d.getTime()) / 1000);
    var ago = function (n, unit) { return n === 1 ? "1 " + unit + " ago" : n + " " + unit + "s ago"; };
    if (s < 45) return "just now";
    if (s < 3600) return ago(Math.floor((s + 30) / 60), "minute");
    if (s < 86400) return ago(Math.floor(s / 3600), "hour");
    if (s < 2 * 86400) return "yesterday";
    if (s < 7 * 86400) return ago(Math.floor(s / 86400), "day");
    return d.getUTCDate() + " " + MONTHS[d.getUTCMonth()] + " " + d.getUTCFullYear();
  }
  function timeEl(at, className) {
    var d = parseTime(at);
    var t = el("time", className, relative(d));
    t.setAttribute("datetime", d.toISOString());
    t.title = exactTime(d);
    return t;
  }
  function badgeText(n) {
    return n > 99 ? "99+" : String(n);
  }
  function statusClass(status) {
    return "sc-status sc-status-" + (CSS[status] || "open");
  }
  function visible() {
    return document.visibilityState === "visible";
  }
  function isMe(user) {
    return !!user && user.id === me && user.side === "staff";
  }
  function initial(name) {
    var c = (name || "").trim().charAt(0);
    return c ? c.toUpperCase() : "?";
  }
  function hidden(name, value) {
    var input = el("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    return input;
  }
  function icon(name) {
    var i = el("span", "sci-icon" + (name ? " sci-icon-" + name : ""));
    i.setAttribute("aria-hidden", "true");
    return i;
  }

  /** The inbox URL for the list as it stands, with conversation `id` open. */
  function inboxHref(id, extra, unread) {
    var p = new URLSearchParams();
    if (list.q) p.set("q", list.q);
    if (unread === undefined ? list.unread : unread) p.set("unread", "1");
    if (list.after) p.set("after", list.after);
    if (id) p.set("c", String(id));
    if (extra) Object.keys(extra).forEach(function (k) { p.set(k, extra[k]); });
    var query = p.toString();
    return base + "/inbox/" + (query ? "?" + query : "");
  }

  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) return Promise.reject(new Error("HTTP " + r.status));
      return r.json();
    });
  }

  /** A short note over the conversation (a refused action, a lost connection). */
  function note(text) {
    var thread = $(".sci-thread");
    if (!thread) return;
    var box = $(".sci-notice", thread);
    if (!box) {
      box = el("div", "sci-notice");
      box.setAttribute("role", "status");
      var head = $(".sci-thread-head", thread);
      if (head) head.insertAdjacentElement("afterend", box);
      else thread.prepend(box);
    }
    box.textContent = text;
    clearTimeout(note.timer);
    note.timer = setTimeout(function () { box.remove(); }, 6000);
  }

  // ------------------------------------------------------------ the frame
  /** Side by side, the panes fill the window below the host's header. */
  function fit() {
    var panes = $(".sci-panes");
    if (!panes) return;
    if (!WIDE.matches) return root.style.removeProperty("--sci-top");
    var box = panes.getBoundingClientRect();
    var top = box.top + window.scrollY;
    var below = Math.max(0, document.documentElement.scrollHeight - (top + box.height));
    root.style.setProperty("--sci-top", Math.round(top + Math.min(below, 48)) + "px");
  }
  window.addEventListener("resize", fit);
  fit();

  setInterval(function () {
    $$("time[datetime]").forEach(function (t) {
      t.textContent = relative(parseTime(t.getAttribute("datetime")));
    });
  }, 60000);

  // ------------------------------------------------------------ the list
  function rowOf(id) {
    return $('.sci-row[data-id="' + id + '"]');
  }

  /** A row, in the markup the server renders. `r` has the fields of rows.json. */
  function renderRow(r) {
    var li = el("li", "sci-row" + (r.unread > 0 ? " sci-row-unread" : ""));
    li.setAttribute("data-id", r.id);
    var a = el("a", "sci-row-link");
    a.href = r.href;
    var avatar = el("span", "sci-avatar", r.initial || initial(r.customer_name));
    avatar.setAttribute("aria-hidden", "true");
    var main = el("span", "sci-row-main");
    var top = el("span", "sci-row-top");
    top.append(el("span", "sci-row-name", r.customer_name), timeEl(r.last_message_at, "sci-row-time"));
    var bottom = el("span", "sci-row-bottom");
    var preview = el("span", "sci-row-preview");
    bottom.appendChild(preview);
    setPreview(preview, r.preview_by, r.preview);
    var meta = el("span", "sci-row-meta");
    meta.appendChild(el("span", r.status_class || statusClass(r.status), r.status_label || LABELS[r.status]));
    if (r.context) meta.appendChild(el("span", "sci-ctx", r.context));
    main.append(top, el("span", "sci-row-subject", r.subject), bottom, meta);
    a.append(avatar, main);
    li.appendChild(a);
    setBadge(li, r.unread);
    if (open && open.id === r.id) markActive(li);
    return li;
  }

  /** A row brought up to date in place (it keeps its element). */
  function refreshRow(row, r) {
    setBadge(row, open && open.id === r.id ? 0 : r.unread);
    var chip = $(".sci-row-meta .sc-status", row);
    if (chip) {
      chip.className = r.status_class;
      chip.textContent = r.status_label;
    }
    var preview = $(".sci-row-preview", row);
    if (!preview.classList.contains("sci-row-typing")) setPreview(preview, r.preview_by, r.preview);
    var time = $(".sci-row-time", row);
    if (time && time.getAttribute("datetime") !== parseTime(r.last_message_at).toISOString()) {
      time.replaceWith(timeEl(r.last_message_at, "sci-row-time"));
    }
    return row;
  }

  function setPreview(preview, by, text) {
    var row = preview.closest(".sci-row");
    if (row) delete rowTyping[row.getAttribute("data-id")];
    preview.textContent = "";
    preview.classList.remove("sci-row-typing");
    if (by) {
      preview.appendChild(el("span", "sci-by", by + ":"));
      preview.appendChild(document.createTextNode(" "));
    }
    preview.appendChild(document.createTextNode(text || ""));
  }

  function setBadge(row, n) {
    var bottom = $(".sci-row-bottom", row);
    var badge = $(".sci-badge", row);
    row.classList.toggle("sci-row-unread", n > 0);
    row.setAttribute("data-unread", String(n));
    if (n > 0) {
      if (!badge) {
        badge = el("span", "sci-badge");
        bottom.appendChild(badge);
      }
      badge.textContent = badgeText(n);
      badge.title = n + " unread";
    } else if (badge) {
      badge.remove();
    }
  }

  function markActive(row) {
    $$(".sci-row-active").forEach(function (r) {
      r.classList.remove("sci-row-active");
      var link = $(".sci-row-link", r);
      if (link) link.removeAttribute("aria-current");
    });
    if (!row) return;
    row.classList.add("sci-row-active");
    $(".sci-row-link", row).setAttribute("aria-current", "true");
  }

  function flash(node, className) {
    node.classList.remove(className);
    void node.offsetWidth; // restart the animation
    node.classList.add(className);
  }

  /**
   * rows.json for the list as it stands; `more` appends the next page.
   * `merge` updates the rows in place rather than drawing them again (the
   * catch-up after connecting, while someone may be about to click one).
   */
  function loadRows(more, merge) {
    var p = new URLSearchParams();
    if (list.q) p.set("q", list.q);
    if (list.unread) p.set("unread", "1");
    if (more) p.set("after", more);
    else list.after = null;
    if (open) p.set("c", String(open.id));
    var ticket = ++list.loading;
    return getJson(base + "/inbox/rows.json?" + p.toString()).then(function (page) {
      if (ticket !== list.loading) return; // a newer search answered first
      var ul = $("[data-sci-rows]");
      if (merge) {
        var keep = page.rows.map(function (r) { return String(r.id); });
        $$(".sci-row", ul).forEach(function (row) {
          if (keep.indexOf(row.getAttribute("data-id")) < 0) row.remove();
        });
      } else if (!more) {
        ul.textContent = "";
      }
      page.rows.forEach(function (r) {
        var had = rowOf(r.id);
        if (had && merge) return ul.appendChild(refreshRow(had, r));
        if (had) had.remove();
        ul.appendChild(renderRow(r));
      });
      var empty = $("[data-sci-empty]");
      empty.hidden = ul.children.length > 0;
      empty.textContent = list.q || list.unread ? "No conversations match." : "No conversations yet.";
      setMore(page.next_after);
    });
  }

  function setMore(after) {
    var link = $("[data-sci-more]") || $(".sci-more");
    if (!after) {
      if (link) link.remove();
      return;
    }
    if (!link) {
      link = el("a", "sci-more", "Load more conversations");
      $("[data-sci-empty]").insertAdjacentElement("afterend", link);
    }
    link.setAttribute("data-sci-more", after);
    link.href = inboxHref(open && open.id, { after: after });
  }

  function afterListChange() {
    list.after = null; // a new list starts at its first page
    history.replaceState(history.state, "", inboxHref(open && open.id));
    $$('input[name="next"]').forEach(function (input) { input.value = here(); });
    var toggle = $("[data-sci-unread]");
    toggle.setAttribute("aria-checked", list.unread ? "true" : "false");
    toggle.href = inboxHref(open && open.id, null, !list.unread);
    var clear = $("[data-sci-clear]");
    if (clear) clear.hidden = !list.q && !list.unread;
    return loadRows(null);
  }

  var searchTimer = null;
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.closest || !input.closest("[data-sci-search]") || input.name !== "q") return;
    clearTimeout(searchTimer);
    searchTimer = setTimeout(function () {
      list.q = input.value.trim();
      afterListChange();
    }, 250);
  });

  /** Live rows: a message, a status change, a read receipt. */
  function updateRow(c, m) {
    // A row that stops matching the filters stays until the next search, so
    // nothing jumps away under the pointer.
    var row = rowOf(c.id);
    if (!row) {
      // Whether it matches a search is the server's to say: ask again.
      if (list.q) return refreshRowsSoon();
      if (list.unread && !(c.unread_for_admin > 0)) return;
      row = renderRow(rowFromConversation(c));
      $("[data-sci-rows]").prepend(row);
      $("[data-sci-empty]").hidden = true;
      return flash(row, "sci-row-live");
    }
    var unread = c.unread_for_admin;
    // The open conversation, seen on screen, is read as it arrives.
    if (open && open.id === c.id && open.newest && visible()) unread = 0;
    setBadge(row, unread);
    var chip = $(".sci-row-meta .sc-status", row);
    if (chip) {
      chip.className = statusClass(c.status);
      chip.textContent = LABELS[c.status] || c.status;
    }
    if (m && m.kind !== "system") {
      setPreview($(".sci-row-preview", row), byOf(c.last_message_side), c.last_message_preview);
      var time = $(".sci-row-time", row);
      if (time) time.replaceWith(timeEl(c.last_message_at, "sci-row-time"));
      // Newest activity first, as the server sorts it.
      row.parentNode.prepend(row);
      flash(row, "sci-row-live");
    }
  }

  var refreshTimer = null;
  function refreshRowsSoon() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(function () { loadRows(null); }, 400);
  }

  function byOf(side) {
    return side === "staff" ? "Store" : side === "vendor" ? "Vendor" : null;
  }

  function rowFromConversation(c) {
    return {
      id: c.id,
      subject: c.subject,
      customer_name: c.customer_name,
      initial: initial(c.customer_name),
      status: c.status,
      status_label: LABELS[c.status],
      status_class: statusClass(c.status),
      unread: c.unread_for_admin,
      preview_by: byOf(c.last_message_side),
      preview: c.last_message_preview,
      context: c.order_number || c.product_name || null,
      last_message_at: c.last_message_at,
      href: inboxHref(c.id),
    };
  }

  // ------------------------------------------------------------ messages
  function here() {
    return open ? inboxHref(open.id) : inboxHref(null);
  }

  function formFor(path, className) {
    var form = el("form", className);
    form.method = "post";
    form.action = base + "/inbox/" + open.id + "/messages/" + path;
    form.append(hidden("csrf_token", csrf), hidden("next", here()));
    return form;
  }

  function reactionChoices() {
    var template = $("template[data-sci-reactions]");
    return template ? $$("button", template.content) : [];
  }

  function actionsEl(v) {
    var bar = el("div", "sci-actions");
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", "Message actions");
    var reply = el("a", "sci-act");
    reply.href = inboxHref(open.id, { reply_to: v.id }) + "#composer";
    reply.setAttribute("data-act", "reply");
    reply.title = "Reply";
    reply.setAttribute("aria-label", "Reply");
    reply.appendChild(icon("reply"));
    bar.appendChild(reply);
    var menu = el("details", "sci-react-menu");
    var summary = el("summary", "sci-act");
    summary.title = "React";
    summary.setAttribute("aria-label", "React");
    summary.appendChild(icon("smile"));
    var pop = formFor(v.id + "/react/", "sci-react-pop");
    pop.setAttribute("data-act", "react");
    reactionChoices().forEach(function (b) { pop.appendChild(b.cloneNode(true)); });
    menu.append(summary, pop);
    bar.appendChild(menu);
    if (v.own) {
      var edit = el("a", "sci-act");
      edit.href = inboxHref(open.id, { edit: v.id }) + "#composer";
      edit.setAttribute("data-act", "edit");
      edit.title = "Edit";
      edit.setAttribute("aria-label", "Edit");
      edit.appendChild(icon("edit"));
      var del = formFor(v.id + "/delete/");
      del.setAttribute("data-act", "delete");
      del.setAttribute("data-confirm", "Delete this message? It will show as removed to the customer too.");
      var b = el("button", "sci-act sci-act-danger");
      b.type = "submit";
      b.title = "Delete";
      b.setAttribute("aria-label", "Delete");
      b.appendChild(icon("trash"));
      del.appendChild(b);
      bar.append(edit, del);
    }
    return bar;
  }

  function quoteEl(q) {
    var a = el("a", "sci-quote");
    a.href = "#m" + q.id;
    a.append(el("span", "sci-quote-who", q.sender), el("span", "sci-quote-text", q.deleted ? "This message was removed." : q.text));
    return a;
  }

  function receiptEl(state) {
    var r = el("span", "sci-receipt sci-receipt-" + state);
    r.title = RECEIPT_WORDS[state];
    r.append(icon(null), el("span", "sc-visually-hidden", RECEIPT_WORDS[state]));
    return r;
  }

  /** Moves a store message's receipt forward (never back). */
  function setReceipt(li, state) {
    var r = $(".sci-receipt", li);
    if (!r) return;
    var now = RECEIPTS.filter(function (s) { return r.classList.contains("sci-receipt-" + s); })[0];
    if (RECEIPTS.indexOf(state) <= RECEIPTS.indexOf(now)) return;
    r.replaceWith(receiptEl(state));
  }

  /** A message, in the markup the server renders (conversation_inbox_message.html). */
  function renderMessage(v) {
    var li = el("li", "sci-msg sci-msg-" + v.align + (v.unread ? " sci-msg-unread" : "") + (v.deleted ? " sci-msg-deleted" : ""));
    if (v.id) {
      li.id = "m" + v.id;
      li.setAttribute("data-id", v.id);
    }
    li.setAttribute("data-side", v.side);
    li.setAttribute("data-sender", v.sender);
    if (v.own) li.setAttribute("data-own", "1");
    if (v.card) {
      li.appendChild(orderCardEl(v.card));
      var stamp = li.appendChild(el("div", "sci-system"));
      stamp.appendChild(timeEl(v.created_at));
      return li;
    }
    if (v.system) {
      var line = el("div", "sci-system", v.body + " · ");
      line.appendChild(timeEl(v.created_at));
      li.appendChild(line);
      return li;
    }
    li.appendChild(el("div", "sci-sender", v.sender + (v.side === "staff" ? " · Staff" : v.side === "vendor" ? " · Vendor" : "")));
    var row = el("div", "sci-line");
    var bubble = el("div", "sci-bubble");
    if (v.quote) bubble.appendChild(quoteEl(v.quote));
    var text = el("div", "sci-text");
    if (v.deleted) text.appendChild(el("em", "sci-removed", "This message was removed."));
    else text.textContent = v.body;
    bubble.appendChild(text);
    row.appendChild(bubble);
    if (v.actionable && v.id) row.appendChild(actionsEl(v));
    li.appendChild(row);
    var reactions = v.id ? formFor(v.id + "/react/", "sci-reactions") : el("form", "sci-reactions");
    reactions.setAttribute("data-act", "react");
    (v.reactions || []).forEach(function (r) { reactions.appendChild(chipEl(r.name, r.glyph, r.label, r.count, r.mine)); });
    reactions.hidden = !(v.reactions || []).length;
    li.appendChild(reactions);
    var meta = el("div", "sci-meta");
    meta.appendChild(timeEl(v.created_at));
    var edited = el("span", "sci-edited", " · edited");
    edited.hidden = !v.edited;
    meta.appendChild(edited);
    if (v.receipt) meta.appendChild(receiptEl(v.receipt));
    li.appendChild(meta);
    return li;
  }

  function chipEl(name, glyph, label, count, mine) {
    var b = el("button", "sci-reaction" + (mine ? " sci-reaction-mine" : ""));
    b.type = "submit";
    b.name = mine ? "unreact" : "emoji";
    b.value = name;
    b.setAttribute("data-emoji", name);
    b.setAttribute("aria-pressed", mine ? "true" : "false");
    b.title = label + (mine ? " (yours: click to take it back)" : "");
    b.append(document.createTextNode(glyph), el("span", "sci-reaction-n", String(count)));
    return b;
  }

  /** What of a message can change after it is drawn, as drawn on the page. */
  function drawnSignature(li) {
    var text = $(".sci-text", li); // system lines never change
    var edited = $(".sci-edited", li);
    var receipt = $(".sci-receipt", li);
    return [
      li.classList.contains("sci-msg-deleted") ? "" : text ? text.textContent : "",
      li.classList.contains("sci-msg-deleted"),
      !!edited && !edited.hidden,
      li.classList.contains("sci-msg-unread"),
      receipt ? RECEIPTS.filter(function (s) { return receipt.classList.contains("sci-receipt-" + s); })[0] : "",
      $$(".sci-reaction", li).map(function (b) {
        return b.getAttribute("data-emoji") + $(".sci-reaction-n", b).textContent + b.classList.contains("sci-reaction-mine");
      }).join(","),
    ].join("|");
  }

  /** The same for a message of history.json. */
  function viewSignature(v, drawnReceipt) {
    var receipt = v.receipt;
    // "delivered" is only known live: the server's "sent" does not undo it.
    if (receipt === "sent" && drawnReceipt === "delivered") receipt = "delivered";
    return [
      v.system ? "" : v.body,
      v.deleted,
      v.edited,
      v.unread,
      receipt || "",
      (v.reactions || []).map(function (r) { return r.name + r.count + r.mine; }).join(","),
    ].join("|");
  }

  /** The quoted message as the page shows it, when it is on the page. */
  function quoteFromPage(id) {
    var li = document.getElementById("m" + id);
    if (!li) return { id: id, sender: "Earlier message", text: "", deleted: false };
    var text = $(".sci-text", li);
    var words = text ? text.textContent.replace(/\s+/g, " ").trim() : "";
    return {
      id: id,
      sender: li.getAttribute("data-sender") || "",
      text: words.length > 140 ? words.slice(0, 139) + "…" : words,
      deleted: li.classList.contains("sci-msg-deleted"),
    };
  }

  /** A message of a frame as the page shows it. */
  function viewOf(c, m) {
    var system = m.kind === "system" || m.sender_side === "system";
    var text = !system && m.kind === "text";
    var store = m.sender_side === "staff" || m.sender_side === "vendor";
    var deleted = !!m.deleted_at;
    return {
      id: m.id,
      side: m.sender_side,
      align: system ? "system" : store ? "mine" : "theirs",
      sender: m.sender_name,
      body: deleted ? "" : orderCard(m) ? orderCard(m).summary : m.body,
      system: system,
      card: orderCard(m),
      deleted: deleted,
      edited: !!m.edited_at,
      own: text && !deleted && m.sender_side === "staff" && m.sender_id === me,
      actionable: text && !deleted,
      created_at: m.created_at,
      receipt: store && !system ? (c.user_read_up_to >= m.id ? "seen" : "sent") : null,
      unread: m.sender_side === "customer" && m.id > c.admin_read_up_to && !deleted,
      quote: m.reply_to_id ? quoteFromPage(m.reply_to_id) : null,
      reactions: [],
    };
  }

  function messages() {
    return $("[data-sci-messages]");
  }

  function scroller() {
    return $("[data-sci-scroll]");
  }

  /** Is the newest message in view? (The history is a reversed column: 0 is its end.) */
  function atEnd() {
    var s = scroller();
    if (!s) return false;
    if (WIDE.matches) return Math.abs(s.scrollTop) < 80;
    return window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 160;
  }

  function toEnd() {
    var s = scroller();
    if (!s) return;
    if (WIDE.matches) s.scrollTop = 0;
    else {
      var composer = $("[data-sci-composer]");
      if (composer) composer.scrollIntoView({ block: "end" });
    }
  }

  /** Into the history in id order (pending messages stay last). */
  function insert(li) {
    var ol = messages();
    var id = Number(li.getAttribute("data-id"));
    var after = ol.lastElementChild;
    while (after && (!after.getAttribute("data-id") || Number(after.getAttribute("data-id")) > id)) after = after.previousElementSibling;
    ol.insertBefore(li, after ? after.nextElementSibling : ol.firstElementChild);
    regroup(li);
  }

  /** A run of messages by one writer shows the name once (as the server draws it). */
  function regroup(li) {
    [li, li && li.nextElementSibling].forEach(function (m) {
      if (!m) return;
      var prev = m.previousElementSibling;
      var same = !!prev && !m.classList.contains("sci-msg-system") && !prev.classList.contains("sci-msg-system") &&
        prev.getAttribute("data-side") === m.getAttribute("data-side") && prev.getAttribute("data-sender") === m.getAttribute("data-sender");
      m.classList.toggle("sci-msg-grouped", same);
    });
  }

  function addIncoming(c, m) {
    var ol = messages();
    if (!ol || !open.newest) return;
    var had = document.getElementById("m" + m.id);
    if (had && !had.hasAttribute("data-client-id")) return;
    var pending = had || (m.client_msg_id && $('.sci-msg[data-client-id="' + CSS_escape(m.client_msg_id) + '"]', ol));
    var li = renderMessage(viewOf(c, m));
    var end = atEnd();
    if (pending) {
      pending.replaceWith(li);
      regroup(li);
    } else {
      insert(li);
    }
    flash(li, "sci-msg-flash");
    if (end || pending) toEnd();
  }

  function CSS_escape(s) {
    return window.CSS && CSS.escape ? CSS.escape(s) : String(s).replace(/["\\]/g, "\\$&");
  }

  // ------------------------------------------------------------ the open conversation
  function startThread() {
    var id = Number(root.getAttribute("data-conversation-id")) || null;
    open = id ? { id: id, readOwed: false, newest: !new URLSearchParams(location.search).has("before"), typingOn: false, typingSentAt: 0, typingIdle: null, typingHide: null } : null;
    compose = { replyTo: null, edit: null };
    var form = $("[data-sci-composer]");
    if (form && form.getAttribute("data-editing")) {
      var editing = Number(form.getAttribute("data-editing"));
      compose.edit = editing;
    }
    var reply = form && $('input[name="reply_to"]', form);
    if (reply) compose.replyTo = Number(reply.value);
    var textarea = form && $("textarea", form);
    if (textarea) autosize(textarea);
    if (open && WIDE.matches && textarea && !textarea.value) textarea.focus({ preventScroll: true });
  }

  function setStatus(status) {
    var chip = $("[data-sci-status]");
    if (chip) {
      chip.className = statusClass(status);
      chip.textContent = LABELS[status] || status;
    }
    var select = $("[data-sci-status-form] select");
    if (select && !select.matches(":focus")) select.value = status;
  }

  function markRead() {
    if (!open || !open.readOwed || !visible() || !open.newest || !live) return;
    if (live.notify({ type: "read", conversation_id: open.id })) open.readOwed = false;
  }
  document.addEventListener("visibilitychange", markRead);
  window.addEventListener("focus", markRead);

  function showTyping(name, on) {
    var line = $("[data-sci-typing]");
    if (!line || !open) return;
    clearTimeout(open.typingHide);
    line.hidden = !on;
    line.textContent = name + " is typing…";
    if (on) open.typingHide = setTimeout(function () { line.hidden = true; }, 6000);
  }

  var rowTyping = {}; // conversation id -> { timer, was: the preview's nodes }
  function rowTypingOn(id, on) {
    var row = rowOf(id);
    var preview = row && $(".sci-row-preview", row);
    var typing = rowTyping[id];
    if (typing) clearTimeout(typing.timer);
    if (!preview) return;
    if (on) {
      if (!preview.classList.contains("sci-row-typing")) {
        typing = rowTyping[id] = { was: Array.prototype.slice.call(preview.childNodes) };
        preview.classList.add("sci-row-typing");
        preview.textContent = "typing…";
      }
      typing.timer = setTimeout(function () { rowTypingOn(id, false); }, 6000);
    } else if (preview.classList.contains("sci-row-typing")) {
      preview.classList.remove("sci-row-typing");
      preview.textContent = "";
      if (typing) preview.append.apply(preview, typing.was);
      delete rowTyping[id];
    }
  }

  function stopTyping() {
    if (!open) return;
    clearTimeout(open.typingIdle);
    if (open.typingOn && live) live.notify({ type: "typing", conversation_id: open.id, typing: false });
    open.typingOn = false;
  }

  function autosize(textarea) {
    textarea.style.height = "auto";
    textarea.style.height = Math.min(textarea.scrollHeight + 2, 180) + "px";
  }

  /** The bar over the reply box: quoting a message, or editing one's own. */
  function setContext(kind, id) {
    var form = $("[data-sci-composer]");
    if (!form) return;
    var bar = $("[data-sci-context]", form);
    var textarea = $("textarea", form);
    var send = $("[data-sci-send]", form);
    var old = $('input[name="reply_to"]', form);
    if (old) old.remove();
    var wasEditing = compose.edit;
    compose = { replyTo: null, edit: null };
    bar.textContent = "";
    form.removeAttribute("data-editing");
    form.action = base + "/inbox/" + open.id + "/reply/";
    send.textContent = "Send";
    if (!kind) {
      bar.hidden = true;
      if (wasEditing) textarea.value = "";
      autosize(textarea);
      return;
    }
    var body = el("span", "sci-context-body");
    if (kind === "reply") {
      var q = quoteFromPage(id);
      compose.replyTo = id;
      form.appendChild(hidden("reply_to", String(id)));
      body.append(el("span", "sci-context-label", "Replying to " + q.sender), el("span", "sci-context-text", q.text));
      bar.appendChild(icon("reply"));
      if (wasEditing) textarea.value = "";
    } else {
      var li = document.getElementById("m" + id);
      compose.edit = id;
      form.setAttribute("data-editing", String(id));
      form.action = base + "/inbox/" + open.id + "/messages/" + id + "/edit/";
      textarea.value = li ? $(".sci-text", li).textContent : "";
      body.appendChild(el("span", "sci-context-label", "Editing your message"));
      bar.appendChild(icon("edit"));
      send.textContent = "Save";
    }
    var cancel = el("a", "sci-context-cancel", "×");
    cancel.href = here() + "#composer";
    cancel.setAttribute("data-sci-cancel", "");
    cancel.title = "Cancel";
    cancel.setAttribute("aria-label", "Cancel");
    bar.append(body, cancel);
    bar.hidden = false;
    autosize(textarea);
    textarea.focus();
    var end = textarea.value.length;
    textarea.setSelectionRange(end, end);
  }

  function send(form) {
    var textarea = $("textarea", form);
    var text = textarea.value;
    if (!text.trim()) return;
    stopTyping();
    if (compose.edit) {
      var editing = compose.edit;
      var li = document.getElementById("m" + editing);
      live.send({ type: "edit", message_id: editing, body: text }).then(function () {
        if (li) applyEdit(li, text);
      }, function (error) {
        note("The message was not edited: " + (error.message || error.code));
      });
      setContext(null);
      textarea.value = "";
      autosize(textarea);
      return;
    }
    var clientId = window.StorechatLive.clientMsgId();
    var replyTo = compose.replyTo;
    var view = {
      id: null,
      side: "staff",
      align: "mine",
      sender: (live.user && live.user.name) || "You",
      body: text,
      created_at: new Date().toISOString(),
      receipt: "pending",
      quote: replyTo ? quoteFromPage(replyTo) : null,
    };
    var pending = renderMessage(view);
    pending.classList.add("sci-msg-pending");
    pending.setAttribute("data-client-id", clientId);
    messages().appendChild(pending);
    regroup(pending);
    toEnd();
    textarea.value = "";
    setContext(null);
    var frame = { type: "send", conversation_id: open.id, client_msg_id: clientId, body: text };
    if (replyTo) frame.reply_to = replyTo;
    var conversation = open.id;
    transmit(frame, pending, conversation);
  }

  function transmit(frame, pending, conversation) {
    live.send(frame).then(function (ack) {
      if (!pending.isConnected) return; // the message frame came first and took its place
      if (document.getElementById("m" + ack.message_id)) return pending.remove();
      // The message frame follows; until then the pending one stands in for it.
      pending.id = "m" + ack.message_id;
      pending.setAttribute("data-id", ack.message_id);
      pending.classList.remove("sci-msg-pending");
      setReceipt(pending, "sent");
    }, function (error) {
      if (!pending.isConnected || !open || open.id !== conversation) return;
      pending.classList.remove("sci-msg-pending");
      pending.classList.add("sci-msg-failed");
      var meta = $(".sci-meta", pending);
      var retry = el("button", "sc-link-button", "Try again");
      retry.type = "button";
      retry.addEventListener("click", function () {
        pending.classList.remove("sci-msg-failed");
        pending.classList.add("sci-msg-pending");
        $$(".sci-failed", meta).forEach(function (n) { n.remove(); });
        transmit(frame, pending, conversation);
      });
      var why = el("span", "sci-failed", " · Not sent: " + (error.message || error.code) + " ");
      why.appendChild(retry);
      meta.appendChild(why);
    });
  }

  function applyEdit(li, body) {
    var text = $(".sci-text", li);
    if (!text || li.classList.contains("sci-msg-deleted")) return;
    text.textContent = body;
    var edited = $(".sci-edited", li);
    if (edited) edited.hidden = false;
    var id = li.getAttribute("data-id");
    $$('.sci-quote[href="#m' + id + '"] .sci-quote-text').forEach(function (q) {
      q.textContent = body.length > 140 ? body.slice(0, 139) + "…" : body;
    });
  }

  function applyDelete(li) {
    li.classList.add("sci-msg-deleted");
    li.classList.remove("sci-msg-unread");
    var text = $(".sci-text", li);
    if (text) {
      text.textContent = "";
      text.appendChild(el("em", "sci-removed", "This message was removed."));
    }
    $$(".sci-actions, .sci-quote", li).forEach(function (n) { n.remove(); });
    var reactions = $(".sci-reactions", li);
    if (reactions) reactions.hidden = true;
    li.removeAttribute("data-own");
    $$('.sci-quote[href="#m' + li.getAttribute("data-id") + '"] .sci-quote-text').forEach(function (q) {
      q.textContent = "This message was removed.";
    });
    if (compose.edit === Number(li.getAttribute("data-id"))) setContext(null);
  }

  function applyReaction(frame) {
    var li = document.getElementById("m" + frame.message_id);
    var form = li && $(".sci-reactions", li);
    if (!form) return;
    var chip = $('.sci-reaction[data-emoji="' + frame.emoji + '"]', form);
    var count = chip ? Number($(".sci-reaction-n", chip).textContent) || 0 : 0;
    var mine = chip ? chip.classList.contains("sci-reaction-mine") : false;
    count += frame.added ? 1 : -1;
    if (isMe(frame.user)) mine = frame.added;
    var choice = reactionChoices().filter(function (b) { return b.value === frame.emoji; })[0];
    if (!choice) return;
    var fresh = count > 0 ? chipEl(frame.emoji, choice.textContent, choice.title, count, mine) : null;
    if (chip && fresh) chip.replaceWith(fresh);
    else if (chip) chip.remove();
    else if (fresh) {
      // In menu order, as the server lists them.
      var order = reactionChoices().map(function (b) { return b.value; });
      var next = $$(".sci-reaction", form).filter(function (b) {
        return order.indexOf(b.getAttribute("data-emoji")) > order.indexOf(frame.emoji);
      })[0];
      form.insertBefore(fresh, next || null);
    }
    form.hidden = !$(".sci-reaction", form);
  }

  // ------------------------------------------------------------ switching conversations
  /** Fetches an inbox URL and puts its conversation and customer panes in place. */
  function showPage(href, push) {
    var wanted = href;
    showPage.wanted = wanted;
    return fetch(href, { credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok && r.status !== 404) return Promise.reject(new Error("HTTP " + r.status));
        return r.text();
      })
      .then(function (html) {
        if (showPage.wanted !== wanted) return;
        // The server's own rendering, escaped by it.
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-sci]");
        if (!fresh) return Promise.reject(new Error("not an inbox page"));
        stopTyping();
        ["sci-thread", "sci-info"].forEach(function (name) {
          var now = $("." + name);
          var next = fresh.querySelector("." + name);
          if (now && next) now.replaceWith(document.importNode(next, true));
          else if (now) now.remove();
          else if (next) $(".sci-panes").appendChild(document.importNode(next, true));
        });
        var flashNow = $(".sci-flash");
        if (flashNow) flashNow.remove();
        var id = fresh.getAttribute("data-conversation-id");
        root.classList.toggle("sci-has-open", !!id);
        if (id) {
          root.setAttribute("data-conversation-id", id);
          root.setAttribute("data-customer-read", fresh.getAttribute("data-customer-read") || "0");
        } else {
          root.removeAttribute("data-conversation-id");
        }
        if (push) history.pushState({ sci: true }, "", href);
        document.title = fresh.ownerDocument.title || document.title;
        startThread();
        markActive(id ? rowOf(Number(id)) : null);
        if (id) {
          var row = rowOf(Number(id));
          if (row) setBadge(row, 0);
          if (!WIDE.matches) window.scrollTo(0, 0);
          toEnd();
        }
        fit();
      })
      .catch(function () {
        // Let the browser load it as a page.
        location.href = href;
      });
  }

  window.addEventListener("popstate", function () {
    var p = new URLSearchParams(location.search);
    var q = p.get("q") || "";
    var unread = p.get("unread") === "1";
    var listChanged = q !== list.q || unread !== list.unread;
    list.q = q;
    list.unread = unread;
    var input = $('[data-sci-search] input[name="q"]');
    if (input) input.value = q;
    showPage(location.href, false).then(function () {
      if (listChanged) afterListChange();
    });
  });

  // ------------------------------------------------------------ events
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target.closest || event.defaultPrevented) return;
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    var link = target.closest("a");
    if (link && root.contains(link)) {
      if (link.matches(".sci-row-link")) {
        event.preventDefault();
        var row = link.closest(".sci-row");
        markActive(row);
        return showPage(link.href, true);
      }
      if (link.matches("[data-sci-back]")) {
        event.preventDefault();
        return showPage(inboxHref(null), true);
      }
      if (link.matches("[data-sci-unread]")) {
        event.preventDefault();
        list.unread = !list.unread;
        return afterListChange();
      }
      if (link.matches("[data-sci-clear]")) {
        event.preventDefault();
        list.q = "";
        list.unread = false;
        $('[data-sci-search] input[name="q"]').value = "";
        return afterListChange();
      }
      if (link.matches("[data-sci-more]")) {
        event.preventDefault();
        return loadRows(link.getAttribute("data-sci-more"));
      }
      if (link.matches("[data-sci-earlier]")) {
        event.preventDefault();
        return loadEarlier(link);
      }
      if (link.matches('[data-act="reply"]') && open) {
        event.preventDefault();
        closeMenus();
        return setContext("reply", Number(link.closest(".sci-msg").getAttribute("data-id")));
      }
      if (link.matches('[data-act="edit"]') && open) {
        event.preventDefault();
        closeMenus();
        return setContext("edit", Number(link.closest(".sci-msg").getAttribute("data-id")));
      }
      if (link.matches("[data-sci-cancel]")) {
        event.preventDefault();
        return setContext(null);
      }
      if (link.matches(".sci-quote")) {
        // To the quoted message, without a history entry for it.
        var quoted = document.getElementById((link.getAttribute("href") || "").slice(1));
        if (!quoted) return;
        event.preventDefault();
        quoted.scrollIntoView({ block: "center", behavior: "smooth" });
        return flash(quoted, "sci-msg-spot");
      }
    }
    // Touch screens: a tap on a message shows its actions.
    var bubble = target.closest(".sci-bubble");
    if (bubble && root.contains(bubble) && window.matchMedia("(hover: none)").matches) {
      var msg = bubble.closest(".sci-msg");
      $$(".sci-show-actions").forEach(function (m) { if (m !== msg) m.classList.remove("sci-show-actions"); });
      msg.classList.toggle("sci-show-actions");
    }
    if (!target.closest(".sci-react-menu")) closeMenus();
  });

  function closeMenus() {
    $$(".sci-react-menu[open]").forEach(function (d) { d.removeAttribute("open"); });
  }

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "Escape") {
      closeMenus();
      if (target.closest && target.closest("[data-sci-composer]") && (compose.edit || compose.replyTo)) setContext(null);
      return;
    }
    if (event.key !== "Enter" || event.shiftKey || event.altKey || event.ctrlKey || event.metaKey || event.isComposing) return;
    if (target.matches && target.matches("[data-sci-composer] textarea")) {
      event.preventDefault();
      var form = target.form;
      if (form.requestSubmit) form.requestSubmit();
      else form.submit();
    }
  });

  document.addEventListener("input", function (event) {
    var target = event.target;
    if (!target.matches || !target.matches("[data-sci-composer] textarea") || !open) return;
    autosize(target);
    if (!live || compose.edit) return;
    if (!target.value.trim()) return stopTyping();
    var now = Date.now();
    if (!open.typingOn || now - open.typingSentAt > 2500) {
      open.typingOn = live.notify({ type: "typing", conversation_id: open.id, typing: true });
      open.typingSentAt = now;
    }
    clearTimeout(open.typingIdle);
    open.typingIdle = setTimeout(stopTyping, 3000);
  });
  document.addEventListener("focusout", function (event) {
    if (event.target.matches && event.target.matches("[data-sci-composer] textarea")) stopTyping();
  });

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("[data-sci-status-form] select")) return;
    var form = select.form;
    if (form.requestSubmit) form.requestSubmit();
    else form.submit();
  });

  // Registered after storechat-admin.js, whose confirmations run first.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !root.contains(form) || !live || !live.isOpen() || !open) return;
    if (form.matches("[data-sci-composer]")) {
      event.preventDefault();
      return send(form);
    }
    if (form.matches("[data-sci-status-form]")) {
      event.preventDefault();
      var body = new URLSearchParams(new FormData(form));
      // The status change comes back as a frame; this post only makes it.
      return fetch(form.action, { method: "POST", body: body, credentials: "same-origin" }).then(function (r) {
        if (!r.ok) note("The status could not be changed. Please reload the page.");
      });
    }
    var act = form.getAttribute("data-act");
    var li = form.closest(".sci-msg");
    var id = li && Number(li.getAttribute("data-id"));
    if (!act || !id) return;
    event.preventDefault();
    if (act === "delete") {
      live.send({ type: "delete", message_id: id }).then(function () { applyDelete(li); }, function (error) {
        note("The message was not deleted: " + (error.message || error.code));
      });
      return;
    }
    if (act === "react") {
      var button = event.submitter;
      if (!button || !button.value) return;
      closeMenus();
      var type = button.name === "unreact" ? "unreact" : "react";
      live.send({ type: type, message_id: id, emoji: button.value }).catch(function (error) {
        note("That reaction did not work: " + (error.message || error.code));
      });
    }
  });

  function loadEarlier(link) {
    var first = $(".sci-msg[data-id]", messages());
    if (!first || !open) return;
    var conversation = open.id;
    link.textContent = "Loading…";
    getJson(base + "/inbox/" + conversation + "/history.json?before=" + first.getAttribute("data-id")).then(function (page) {
      if (!open || open.id !== conversation) return;
      var ol = messages();
      var at = ol.firstElementChild;
      page.messages.forEach(function (v) {
        if (!document.getElementById("m" + v.id)) regroup(ol.insertBefore(renderMessage(v), at));
      });
      regroup(at);
      if (page.has_earlier) {
        link.textContent = "Load earlier messages";
        link.href = inboxHref(conversation, { before: page.messages.length ? page.messages[0].id : "" }) + "#history";
      } else {
        link.closest(".sci-earlier").remove();
      }
    }, function () {
      link.textContent = "Load earlier messages";
      note("Earlier messages could not be loaded.");
    });
  }

  // ------------------------------------------------------------ the socket
  /** What happened while the socket was away: the list and the open conversation again. */
  function catchUp() {
    loadRows(null, true).catch(function () {});
    if (!open || !open.newest) return;
    var conversation = open.id;
    getJson(base + "/inbox/" + conversation + "/history.json").then(function (page) {
      if (!open || open.id !== conversation) return;
      var ol = messages();
      page.messages.forEach(function (v) {
        var had = document.getElementById("m" + v.id);
        if (!had) return insert(renderMessage(v));
        var drawn = drawnSignature(had);
        if (had.hasAttribute("data-client-id") || drawn !== viewSignature(v, drawn.split("|")[4])) {
          var li = renderMessage(v);
          had.replaceWith(li);
          regroup(li);
        }
      });
      setStatus(page.conversation.status);
      var unread = $$(".sci-msg-unread", ol).length;
      if (unread && visible()) {
        open.readOwed = true;
        markRead();
      }
    }, function () {});
  }

  function start() {
    live = window.StorechatLive.connect({ url: root.getAttribute("data-ws-url") || undefined });
    live.on("state", function (state) {
      root.setAttribute("data-sci-live-state", state);
    });
    live.on("hello", function () {
      catchUp();
    });

    live.on("message", function (frame) {
      var c = frame.conversation;
      var m = frame.message;
      if (!c || !m) return;
      var fromCustomer = m.sender_side === "customer" && m.kind !== "system";
      // This client has it: the customer sees "delivered".
      if (fromCustomer) live.notify({ type: "delivered", conversation_id: c.id, up_to: m.id });
      if (fromCustomer) rowTypingOn(c.id, false);
      updateRow(c, m);
      if (!open || open.id !== c.id) return;
      setStatus(c.status);
      if (fromCustomer) {
        showTyping("", false);
        open.readOwed = true;
      }
      addIncoming(c, m);
      markRead();
    });
    live.on("conversation", function (frame) {
      var c = frame.conversation;
      if (!c) return;
      updateRow(c, null);
      if (open && open.id === c.id) setStatus(c.status);
    });
    live.on("receipt", function (frame) {
      if (frame.side === "store") {
        // Someone on staff (maybe this page) read it.
        var row = rowOf(frame.conversation_id);
        if (row && frame.state === "seen") setBadge(row, 0);
        if (open && open.id === frame.conversation_id && frame.state === "seen") {
          $$(".sci-msg-unread").forEach(function (li) {
            if (Number(li.getAttribute("data-id")) <= frame.up_to) li.classList.remove("sci-msg-unread");
          });
        }
        return;
      }
      if (!open || open.id !== frame.conversation_id) return;
      $$(".sci-msg-mine[data-id]").forEach(function (li) {
        if (Number(li.getAttribute("data-id")) <= frame.up_to) setReceipt(li, frame.state === "seen" ? "seen" : "delivered");
      });
    });
    live.on("typing", function (frame) {
      if (!frame.user || isMe(frame.user)) return;
      if (frame.user.side === "customer") rowTypingOn(frame.conversation_id, frame.typing);
      if (open && open.id === frame.conversation_id) showTyping(frame.user.name, frame.typing);
    });
    live.on("message_edited", function (frame) {
      var m = frame.message;
      var li = m && document.getElementById("m" + m.id);
      if (li && !m.deleted_at) applyEdit(li, m.body);
    });
    live.on("message_deleted", function (frame) {
      var li = document.getElementById("m" + frame.message_id);
      if (li) applyDelete(li);
    });
    live.on("reaction", applyReaction);
    live.on("reload", function (frame) {
      if (open && open.id === frame.conversation_id) catchUp();
    });
    live.on("conversations_deleted", function (frame) {
      (frame.ids || []).forEach(function (id) {
        var row = rowOf(id);
        if (row) row.remove();
        if (open && open.id === id) note("This conversation was deleted.");
      });
    });
  }

  startThread();
  if (open && !WIDE.matches && location.hash === "") toEnd();
  if (!window.WebSocket) return;
  if (window.StorechatLive) return start();
  var src = new URL(script.src, location.href);
  var s = document.createElement("script");
  s.src = new URL("storechat-live.js" + src.search, src).href;
  s.onload = start;
  document.head.appendChild(s);
})();
