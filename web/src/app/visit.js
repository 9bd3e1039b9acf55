/**
 * A visit to the hall: the sync connection from "enter" to "leave", and
 * where its messages go. Pose frames land in the remote avatars'
 * interpolation buffers and the crowd layer, rosters name them, chat lines
 * go to the chat panel, state changes to the status line. Nothing here
 * touches the scene: the frame loop reads what these write.
 */

import { decodeServerFrame, FrameError } from '../net/codec.js';
import { Connection } from '../net/connection.js';
import { timeText } from '../ui/status.js';
import { readEmote } from '../net/emote.js';

const _pose = new Float64Array(6);

function clientKind() {
  if (/OculusBrowser|Quest|Pico|Wolvic|Vision/i.test(navigator.userAgent)) return 'vr';
  return matchMedia('(pointer: coarse)').matches ? 'mobile' : 'desktop';
}

class Visit {
  /**
   * @param {object} deps
   * @param {import('./state.js').AppState} deps.app shared state (connection, bounds, hallId, rooms, remote, crowd, ...)
   * @param {import('../i18n/i18n.js').I18n} deps.i18n
   * @param {import('../ui/status.js').StatusView} deps.status
   * @param {import('../ui/chat.js').ChatPanel} deps.chat
   * @param {import('../net/posegate.js').PoseGate} deps.gate
   * @param {import('../controls/player.js').Player} deps.player
   * @param {import('./travel.js').Travel} deps.travel
   * @param {typeof Connection} [deps.ConnectionImpl] tests inject a fake
   * @param {(msg: any) => void} [deps.onReach] reach.* messages and reach_* errors (reach/card.js)
   * @param {(name: string) => void} [deps.onRefusedName] the join's name is reserved for staff
   * @param {{onWelcome?: (msg: any) => void, onMessage?: (msg: any) => void,
   *   onMedia?: (records: any[]) => void}} [deps.listeners] others who want the welcome, the control
   *   messages (the forums, voice) and the media records of pose frames (stage audio, voice)
   */
  constructor({ app, i18n, status, chat, gate, player, travel, ConnectionImpl = Connection, onReach = () => {}, onRefusedName, listeners = {} }) {
    this.onReach = onReach;
    this.app = app;
    this.i18n = i18n;
    this.status = status;
    this.chat = chat;
    this.gate = gate;
    this.player = player;
    this.travel = travel;
    this.ConnectionImpl = ConnectionImpl;
    this.onRefusedName = onRefusedName;
    this.listeners = listeners;
    this.everJoined = false;
  }

  /**
   * Open the socket and join as `name` with `avatar`, carrying `token` (net/hallpass.js) if any.
   * @param {{name: string, avatar: string, token?: string | null}} choice
   */
  start({ name, avatar, token = null }) {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    /** @type {{room: string, name: string, avatar: string, kind: string, token?: string}} */
    const join = { room: this.app.hallId, name, avatar, kind: clientKind() };
    if (token) join.token = token;
    const connection = new this.ConnectionImpl({
      url: `${proto}//${location.host}/ws`,
      join,
      // A socket that was left (or replaced) may still deliver a last frame or message: it
      // must not touch the hall the visitor has left, so only the current one is heard.
      handlers: {
        onState: (state, key, vars) => {
          if (this.app.connection !== connection) return;
          this.status.set(state, key, vars);
          if (key === 'status.reservedName') this.onRefusedName?.(name);
        },
        onWelcome: (msg) => { if (this.app.connection === connection) this._welcome(msg); },
        onFrame: (data, at) => { if (this.app.connection === connection) this._frame(data, at, connection); },
        onMessage: (msg) => { if (this.app.connection === connection) this._message(msg); },
      },
    });
    this.app.connection = connection;
    connection.start();
    return connection;
  }

  /** Leave on purpose: the avatar goes at once (no resume). */
  leave() {
    this.app.connection?.leave();
    this.app.connection = null;
    this.everJoined = false;
    this.app.remote?.reset(-1);
    this.app.crowd?.clear();
  }

  _welcome(msg) {
    const { app, player } = this;
    app.timing.joinedMs ??= performance.now();
    app.bounds = msg.bounds ?? app.bounds;
    this.gate.setRate(msg.limits?.pose_hz ?? msg.tick_hz ?? 20);
    this.gate.reset();
    this.chat.setLimit(msg.limits?.chat_max_chars ?? 500);
    if (!msg.resumed) {
      // A fresh avatar: maybe a restarted server, whose clock and ids start again.
      app.remote?.reset(msg.id);
      app.crowd?.clear();
    } else if (app.remote) {
      app.remote.selfId = msg.id;
    }
    app.remote?.onRoster(msg.roster ?? []);
    app.you = msg.you ?? null;
    this.chat.selfId = msg.id;
    const pos = msg.pose?.position;
    if (!this.everJoined && pos) {
      player.placeHead(pos, msg.pose.yaw ?? player.yaw);
      this.chat.note('chat.joined', { hall: app.rooms?.find((r) => r.id === app.hallId)?.title ?? '' });
      if (app.you?.moderator) this.chat.note('chat.moderator');
    } else if (pos) {
      // Back after a drop or a restart: stay where we were; the server is told so.
      player.desktopPose(_pose);
      if (Math.hypot(_pose[0] - pos[0], _pose[2] - pos[2]) > 0.5) {
        this.travel.sendTeleport(_pose[0], _pose[1], _pose[2], player.yaw);
      }
    }
    this.everJoined = true;
    this.listeners.onWelcome?.(msg);
  }

  /**
   * @param {ArrayBuffer} data
   * @param {number} at
   * @param {Connection} connection the socket it came on (the current one)
   */
  _frame(data, at, connection) {
    const { app } = this;
    let frame;
    try {
      frame = decodeServerFrame(data, app.bounds.min);
    } catch (err) {
      if (err instanceof FrameError) app.lastError = { code: err.code, message: err.message };
      return;
    }
    connection.clock.observeFrame(frame.time_ms, at);
    if (frame.type === 'CROWD') app.crowd?.set(frame.points, app.bounds);
    else {
      app.remote?.onPoseFrame(frame, at);
      if (frame.media?.length) this.listeners.onMedia?.(frame.media);
    }
  }

  _message(msg) {
    const { app } = this;
    this.listeners.onMessage?.(msg);
    switch (msg.type) {
      case 'roster':
        app.remote?.onRoster(msg.join, msg.leave);
        break;
      case 'chat':
        this.chat.add(msg.messages ?? []);
        break;
      case 'chat_delete':
        this.chat.remove(Array.isArray(msg.ids) ? msg.ids : []);
        break;
      case 'mod.notice':
        this._notice(msg);
        break;
      case 'mod.done':
        this.chat.system(msg.action === 'report'
          ? this.i18n.t('chat.reported')
          : this.i18n.t('chat.modDone', { what: this.i18n.t(`mod.did.${msg.action}`), name: msg.name ?? '' }));
        break;
      case 'error':
        app.lastError = { code: msg.code, message: msg.message };
        if (typeof msg.code === 'string' && msg.code.startsWith('reach_')) this.onReach(msg);
        if (msg.code === 'rate_limited' && /chat/i.test(msg.message ?? '')) {
          this.chat.note('chat.rateLimited');
        } else if (msg.code === 'muted' || msg.code === 'slow_mode') {
          this.chat.system(this.i18n.t('chat.refused', { reason: msg.message ?? '' }));
        } else if (['forbidden', 'not_found', 'busy', 'rate_limited'].includes(msg.code)) {
          this.chat.system(this.i18n.t('chat.modFailed', { reason: msg.message ?? '' }));
        }
        break;
      case 'shutdown':
        this.status.set('joined', 'status.shutdown');
        break;
      case 'booth':
        app.booths?.apply(msg);
        break;
      case 'emote': {
        const emote = readEmote(msg);
        if (emote) app.remote?.emote(emote.id, emote.emote);
        break;
      }
      default:
        if (typeof msg.type === 'string' && msg.type.startsWith('reach.')) this.onReach(msg);
        break;
    }
  }

  /** What a moderator's action means for this visitor now (a mute, slow mode). */
  _notice(msg) {
    const t = this.i18n.t.bind(this.i18n);
    if (msg.action === 'mute') {
      this.chat.system(t('chat.muted', { until: timeText(msg.until, this.i18n.lang), reason: msg.reason || t('status.noReason') }));
    } else if (msg.action === 'unmute') {
      this.chat.system(t('chat.unmuted'));
    } else if (msg.action === 'slow') {
      this.chat.system(msg.seconds > 0 ? t('chat.slow', { seconds: msg.seconds }) : t('chat.slowOff'));
    }
  }
}

export { Visit };
