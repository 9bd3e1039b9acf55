/**
 * Every string of the client's own UI, in Chinese and English.
 *
 * Exhibitor and catalog texts come from the server (already bilingual);
 * these are the words around them. `{name}`-style placeholders are filled
 * by i18n.js. test/i18n.test.js fails if any key lacks a language or if the
 * two languages use different placeholders.
 */

import { FORUM_STRINGS } from '../forum/strings.js';
import { VOICE_STRINGS } from '../voice/strings.js';

const STRINGS = {
  ...FORUM_STRINGS,
  ...VOICE_STRINGS,
  'app.title': { zh: '元宇宙浙江 · 虚拟展馆', en: 'Metaverse Zhejiang · Virtual Expo' },
  'app.loading': { zh: '正在加载展馆…', en: 'Loading the hall…' },
  'app.noWebgl': {
    zh: '此浏览器无法显示三维展馆（WebGL 不可用）。请换用最新版 Chrome、Edge、Firefox 或 Safari。',
    en: 'This browser cannot show the 3D hall (WebGL is unavailable). Please use a current Chrome, Edge, Firefox or Safari.',
  },
  'app.hallFailed': {
    zh: '展馆模型加载失败，显示简化地面。',
    en: 'The hall model could not be loaded; showing a plain floor instead.',
  },

  'lobby.heading': { zh: '欢迎来到展会', en: 'Welcome to the expo' },
  'lobby.name': { zh: '你的名字', en: 'Your name' },
  'lobby.namePlaceholder': { zh: '例如：小杭', en: 'e.g. Alex' },
  'lobby.nameHint': { zh: '其他访客会看到这个名字（最多 32 个字）。', en: 'Other visitors see this name (up to 32 characters).' },
  'lobby.nameRequired': { zh: '请填写名字。', en: 'Please enter a name.' },
  'lobby.nameTooLong': { zh: '名字最多 32 个字。', en: 'A name can have at most 32 characters.' },
  'lobby.nameBadChars': { zh: '名字里不能有控制字符。', en: 'A name cannot contain control characters.' },
  'lobby.avatar': { zh: '选择形象', en: 'Choose an avatar' },
  'lobby.avatarsLoading': { zh: '正在加载形象…', en: 'Loading avatars…' },
  'lobby.avatarsFailed': { zh: '无法获取形象列表，请检查网络后刷新。', en: 'Could not load the avatars. Check the connection and reload.' },
  'lobby.language': { zh: '语言', en: 'Language' },
  'lobby.enter': { zh: '进入展馆', en: 'Enter the hall' },
  'lobby.controls': { zh: '操作说明', en: 'Controls' },
  'lobby.settings': { zh: '舒适与无障碍设置', en: 'Comfort and accessibility' },

  'lang.switch': { zh: '切换到英文', en: 'Switch to Chinese' },

  'help.desktop': {
    zh: 'W A S D 或方向键移动，Shift 快走；拖动鼠标环顾，点击地面走过去，点击展位查看介绍；按 L 进入鼠标锁定视角，Esc 退出。',
    en: 'Move with W A S D or the arrow keys, Shift to hurry; drag the mouse to look around, click the floor to walk there and a booth to read about it; press L for mouse-look, Esc to leave it.',
  },
  'help.touch': {
    zh: '左下角摇杆移动，在屏幕上拖动环顾，轻点地面走过去，轻点展位查看介绍。',
    en: 'Use the joystick at the bottom left to move, drag on the screen to look around, tap the floor to walk there and a booth to read about it.',
  },
  'help.vr': {
    zh: 'VR：按住扳机瞄准地面，松开即传送；右摇杆左右转向；用射线指向展位并扣扳机查看介绍。',
    en: 'VR: hold the trigger and aim at the floor, release to teleport; flick the right stick to turn; point at a booth and pull the trigger to read about it.',
  },

  'hud.toolbar': { zh: '展馆工具栏', en: 'Hall toolbar' },
  'hud.directory': { zh: '展区导览', en: 'Zones' },
  'hud.chat': { zh: '聊天', en: 'Chat' },
  'hud.settings': { zh: '设置', en: 'Settings' },
  'hud.leave': { zh: '离开', en: 'Leave' },
  'hud.mouseLook': { zh: '鼠标视角 (L)', en: 'Mouse look (L)' },
  'hud.people': { zh: '附近 {near} 人 · 全馆 {total} 人', en: '{near} nearby · {total} in the hall' },
  'hud.joystick': { zh: '移动摇杆', en: 'Movement joystick' },
  'hud.view': { zh: '展馆三维视图', en: '3D view of the hall' },

  'vr.enter': { zh: '进入 VR', en: 'Enter VR' },
  'vr.exit': { zh: '退出 VR', en: 'Exit VR' },
  'vr.unsupported': { zh: '此设备不支持 VR', en: 'VR not supported here' },
  'vr.insecure': { zh: 'VR 需要 HTTPS', en: 'VR needs HTTPS' },
  'vr.failed': { zh: '无法开始 VR：{reason}', en: 'Could not start VR: {reason}' },
  'vr.panelClose': { zh: '扣扳机关闭', en: 'Pull the trigger to close' },

  'status.region': { zh: '连接状态', en: 'Connection status' },
  'status.idle': { zh: '未连接', en: 'Not connected' },
  'status.connecting': { zh: '正在连接…', en: 'Connecting…' },
  'status.connected': { zh: '已连接', en: 'Connected' },
  'status.resumed': { zh: '已重新连接', en: 'Reconnected' },
  'status.reconnecting': { zh: '连接中断，{seconds} 秒后重连…', en: 'Connection lost; reconnecting in {seconds} s…' },
  'status.unreachable': {
    zh: '无法连接服务器，{seconds} 秒后重试。请检查网络，或联系主办方。',
    en: 'The server cannot be reached; retrying in {seconds} s. Check your network or ask the organisers.',
  },
  'status.version': {
    zh: '展馆已升级，请刷新页面。',
    en: 'The hall has been updated. Please reload the page.',
  },
  'status.full': {
    zh: '展馆已满，{seconds} 秒后再试…',
    en: 'The hall is full; trying again in {seconds} s…',
  },
  'status.shutdown': {
    zh: '服务器正在重启，马上为你重新连接…',
    en: 'The server is restarting; reconnecting you shortly…',
  },
  'status.replaced': {
    zh: '你在另一个窗口进入了展馆，这里已断开。',
    en: 'You entered the hall in another window, so this one was disconnected.',
  },
  'status.badJoin': { zh: '无法进入展馆：{reason}', en: 'Could not enter the hall: {reason}' },
  'status.unknownRoom': { zh: '找不到这个展馆。', en: 'This hall does not exist.' },
  'status.tooManyErrors': { zh: '连接出错过多，正在重连…', en: 'Too many errors on the connection; reconnecting…' },
  'status.protocolError': { zh: '通信出错，正在重连…', en: 'A communication error occurred; reconnecting…' },
  'status.serverError': { zh: '服务器出错，正在重连…', en: 'The server had a problem; reconnecting…' },
  'status.left': { zh: '你已离开展馆。', en: 'You have left the hall.' },
  'status.reload': { zh: '刷新页面', en: 'Reload' },
  'status.retryNow': { zh: '立即重试', en: 'Retry now' },
  'status.dismiss': { zh: '关闭提示', en: 'Dismiss' },

  'panel.label': { zh: '展位介绍', en: 'Booth information' },
  'panel.close': { zh: '关闭', en: 'Close' },
  'panel.zone': { zh: '展区', en: 'Zone' },
  'panel.scenarios': { zh: '示范场景', en: 'Demonstration scenarios' },
  'panel.tags': { zh: '标签', en: 'Tags' },
  'panel.contact': { zh: '联系与更多信息', en: 'Contact and more' },
  'panel.links': { zh: '相关链接', en: 'Links' },
  'panel.logo': { zh: '{name} 的标志', en: 'Logo of {name}' },
  'panel.poster': { zh: '{name} 的海报', en: 'Poster of {name}' },
  'panel.goThere': { zh: '走到展位前', en: 'Walk to the booth' },

  'chat.label': { zh: '聊天', en: 'Chat' },
  'chat.log': { zh: '聊天记录', en: 'Chat messages' },
  'chat.placeholder': { zh: '说点什么…（回车发送）', en: 'Say something… (Enter to send)' },
  'chat.send': { zh: '发送', en: 'Send' },
  'chat.rateLimited': { zh: '发得太快了，请稍等。', en: 'You are sending too fast; please wait a moment.' },
  'chat.notConnected': { zh: '未连接，消息未发送。', en: 'Not connected; the message was not sent.' },
  'chat.joined': { zh: '你已进入 {hall}。', en: 'You are in the {hall}.' },

  'map.label': { zh: '小地图：点击可传送', en: 'Minimap: click to teleport' },

  'dir.label': { zh: '展区导览', en: 'Zone directory' },
  'dir.intro': { zh: '选择一个展区，直接传送过去。', en: 'Pick a zone to teleport straight to it.' },
  'dir.plaza': { zh: '中央广场', en: 'Central plaza' },
  'dir.forum': { zh: '论坛厅', en: 'Forum hall' },
  'dir.booths': { zh: '{n} 个展位', en: '{n} booths' },
  'dir.close': { zh: '关闭', en: 'Close' },
  'dir.spawn': { zh: '回到入口', en: 'Back to the entrance' },

  'settings.label': { zh: '设置', en: 'Settings' },
  'settings.reducedMotion': { zh: '减少动态效果（点击地面直接传送，无平滑转向和动画）', en: 'Reduce motion (clicking the floor teleports; no smooth turns or animations)' },
  'settings.snapTurn': { zh: 'VR 转向角度', en: 'VR snap-turn angle' },
  'settings.teleportOnly': { zh: 'VR 仅传送移动（关闭摇杆平移）', en: 'VR teleport-only movement (no stick walking)' },
  'settings.textSize': { zh: '文字大小', en: 'Text size' },
  'settings.textNormal': { zh: '标准', en: 'Normal' },
  'settings.textLarge': { zh: '大', en: 'Large' },
  'settings.mouseSensitivity': { zh: '鼠标灵敏度', en: 'Mouse sensitivity' },
  'settings.close': { zh: '完成', en: 'Done' },
  'settings.degrees': { zh: '{n}°', en: '{n}°' },

  'sign.booths': { zh: '{n} 个展位', en: '{n} booths' },
  'sign.targets': { zh: '发展目标', en: 'Targets' },
  'sign.forumNow': { zh: '论坛与发布', en: 'Forums and launches' },
};

export { STRINGS };
