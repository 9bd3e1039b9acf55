/**
 * The words of proximity voice, in Chinese and English (merged into the
 * client's strings by i18n/strings.js; test/i18n.test.js checks both
 * languages and the placeholders).
 */

const VOICE_STRINGS = {
  'voice.mic.off': { zh: '麦克风关', en: 'Mic off' },
  'voice.mic.asking': { zh: '请允许使用麦克风', en: 'Allow the microphone' },
  'voice.mic.ready': { zh: '麦克风待命（未发送）', en: 'Mic ready (not sending)' },
  'voice.mic.live': { zh: '正在说话', en: 'Talking' },
  'voice.mic.blocked': { zh: '此处不能说话', en: 'Voice is off here' },
  'voice.mic.label': { zh: '麦克风状态', en: 'Microphone state' },
  'voice.openMic': { zh: '开麦', en: 'Open mic' },
  'voice.openMic.off': { zh: '关麦', en: 'Close mic' },
  'voice.hold': { zh: '按住说话', en: 'Hold to talk' },
  'voice.hint': {
    zh: '按住 V 键或“按住说话”与附近的人交谈；戴头显时按住左手握把。',
    en: 'Hold V or “Hold to talk” to talk to people near you; in VR, hold the left grip.',
  },
  'voice.asking': {
    zh: '浏览器正在请求使用麦克风：允许后附近 {metres} 米内的人能听到你。语音不会被录音。',
    en: 'Your browser is asking for the microphone: allow it and people within {metres} m hear you. Voice is never recorded.',
  },
  'voice.needClick': { zh: '点击页面以听到附近的人。', en: 'Click the page to hear the people near you.' },
  'voice.zone.booth': {
    zh: '展位私聊区：只有区域内的人和展商听得到你。',
    en: 'Booth talk zone: only people inside and the exhibitor hear you.',
  },
  'voice.zone.forum': {
    zh: '论坛正在进行：观众席不能说话。',
    en: 'A forum session is live: the audience cannot talk here.',
  },
  'voice.zone.quiet': {
    zh: '静音区：工作人员关闭了这里的语音。',
    en: 'Quiet zone: staff turned voice off here.',
  },
  'voice.refused.voice_off_here': {
    zh: '此处为静音区，你的声音不会传出。',
    en: 'This is a quiet place: your voice does not go out here.',
  },
  'voice.refused.voice_muted': {
    zh: '管理员已将你静音。',
    en: 'A moderator muted your voice.',
  },
  'voice.people': { zh: '附近的人', en: 'People nearby' },
  'voice.people.none': { zh: '附近没有人。', en: 'Nobody is near you.' },
  'voice.people.distance': { zh: '{metres} 米', en: '{metres} m' },
  'voice.people.speaking': { zh: '正在说话', en: 'speaking' },
  'voice.people.mute': { zh: '静音', en: 'Mute' },
  'voice.people.unmute': { zh: '取消静音', en: 'Unmute' },
  'voice.people.volume': { zh: '{name} 的音量', en: 'Volume of {name}' },
  'voice.people.block': { zh: '屏蔽', en: 'Block' },
  'voice.people.unblock': { zh: '取消屏蔽', en: 'Unblock' },
  'voice.people.blocked': { zh: '已屏蔽：听不到其声音，也看不到其聊天。', en: 'Blocked: you neither hear them nor see their chat.' },
  'voice.people.close': { zh: '关闭', en: 'Close' },
};

export { VOICE_STRINGS };
