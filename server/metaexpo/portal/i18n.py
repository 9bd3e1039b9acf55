"""Every string of the portal and the console, in Chinese and English, and picking a language.

The language is, in order: ``?lang=zh|en`` on the URL (remembered in a
cookie), the ``metaexpo_lang`` cookie, the browser's ``Accept-Language``,
else English. Messages that come from the server's checks (upload problems,
form problems) are in English; their stable codes are shown beside them, and
those found by the Khronos glTF-Validator (``"source": "khronos"``) are
labelled as such, with a note on what to do, in the page's language.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Literal

from metaexpo.portal.forum_strings import FORUM_STRINGS
from metaexpo.portal.reach_strings import REACH_STRINGS

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")
LANG_COOKIE = "metaexpo_lang"

STRINGS: dict[str, tuple[str, str]] = {
    # (zh, en)
    "expo": ("元宇宙浙江 · 展商门户", "Metaverse Zhejiang Expo · Exhibitor portal"),
    "console": ("元宇宙浙江 · 工作人员控制台", "Metaverse Zhejiang Expo · Staff console"),
    "other_lang": ("English", "中文"),
    "sign_in": ("登录", "Sign in"),
    "sign_out": ("退出", "Sign out"),
    "login": ("登录名", "Sign-in name"),
    "password": ("密码", "Password"),
    "password_again": ("再次输入密码", "Password again"),
    "passwords_differ": ("两次输入的密码不一致。", "The two passwords differ."),
    "password_rule": ("至少 10 个字符。", "At least 10 characters."),
    "invite_title": ("创建账号", "Create your account"),
    "invite_for": ("邀请对象", "Invited as"),
    "invite_booths": ("可管理的展位", "Booths you will manage"),
    "invite_invalid": (
        "该邀请链接无效：已被使用、已过期或链接不完整。",
        "This invite link is not valid: it was used, expired or mistyped.",
    ),
    "create_account": ("创建账号", "Create account"),
    "my_booths": ("我的展位", "My booths"),
    "no_booths": (
        "你还没有展位。请联系工作人员为你分配展位。",
        "You have no booths yet. Ask the expo staff to assign one to you.",
    ),
    "booth": ("展位", "Booth"),
    "zone": ("展区", "Zone"),
    "status": ("状态", "Status"),
    "live_revision": ("线上版本", "Live version"),
    "edit": ("编辑", "Edit"),
    "state_none": ("与线上一致", "Same as live"),
    "state_draft": ("草稿", "Draft"),
    "state_submitted": ("等待审核", "Waiting for approval"),
    "state_approved": ("已批准", "Approved"),
    "state_refused": ("未通过", "Refused"),
    "state_live": ("已上线", "Live"),
    "state_retired": ("已替换", "Replaced"),
    "refused_because": ("未通过审核，原因：", "Refused by staff. Reason:"),
    "texts": ("展位文字", "Booth texts"),
    "name": ("名称", "Name"),
    "tagline": ("标语", "Tagline"),
    "description": ("简介", "Description"),
    "chinese": ("中文", "Chinese"),
    "english": ("英文", "English"),
    "tags": ("标签", "Tags"),
    "contact": ("联系链接", "Contact link"),
    "links": ("更多链接", "More links"),
    "link_title": ("链接标题", "Link title"),
    "look": ("展位外观", "Booth look"),
    "template": ("模板", "Template"),
    "template_hint": (
        "每种适合本展位的模板，按下方所选颜色绘制。",
        "Each template that fits this booth, in the colours chosen below.",
    ),
    "template_preview": ("预览", "Preview"),
    "template_kiosk": ("标准展台（4×4 米）", "Kiosk (4 × 4 m)"),
    "template_showcase": ("橱窗展台（4×4 米）", "Showcase (4 × 4 m)"),
    "template_island": ("岛型展台（8×8 米）", "Island (8 × 8 m)"),
    "template_lounge": ("休闲洽谈展台（8×8 米）", "Lounge (8 × 8 m)"),
    "template_pavilion": ("展馆（12×12 米）", "Pavilion (12 × 12 m)"),
    "accent": ("主色", "Accent colour"),
    "panel": ("墙面颜色", "Panel colour"),
    "save": ("保存草稿", "Save draft"),
    "saved": ("草稿已保存。", "Draft saved."),
    "images": ("标志与海报", "Logo and poster"),
    "logo": ("标志", "Logo"),
    "poster": ("海报", "Poster"),
    "image_hint": (
        "PNG、JPEG、WebP 或 GIF。服务器会重新编码图片并删除所有元数据（包括位置信息）。",
        "PNG, JPEG, WebP or GIF. The server re-encodes pictures and removes all metadata "
        "(including location).",
    ),
    "remove": ("移除", "Remove"),
    "screens": ("屏幕轮播图片", "Screen images"),
    "screens_hint": (
        "展位屏幕会在海报之后依次轮播这些图片（每 8 秒一张），最多 {n} 张。"
        "格式与处理方式同海报；审核通过后随该版本上线。",
        "The booth's screen shows these pictures in turn after the poster (one every 8 s), "
        "at most {n}. Same formats and treatment as the poster; they go live with the "
        "approved revision.",
    ),
    "screens_none": ("还没有屏幕图片。", "No screen images yet."),
    "screens_full": (
        "已达到最多图片数量；请先移除一张再添加。",
        "The screen has its most images; remove one before adding another.",
    ),
    "screen_n": ("第 {n} 张", "Image {n}"),
    "move_earlier": ("前移", "Move earlier"),
    "move_later": ("后移", "Move later"),
    "model": ("自定义 3D 展位", "Custom 3D booth"),
    "model_hint": (
        "上传 .glb 文件，或包含 .gltf 及其文件的 .zip。模型会被检查并缩放到展位范围内。",
        "Upload a .glb, or a .zip holding a .gltf and its files. The model is checked and "
        "fitted into the booth's space.",
    ),
    "model_none": ("当前使用模板展位。", "The booth uses the template."),
    "model_current": ("草稿中的模型", "Model in the draft"),
    "use_template": ("改用模板展位", "Use the template instead"),
    "upload": ("上传", "Upload"),
    "uploading": ("正在上传…", "Uploading…"),
    "checking": ("正在检查模型…", "Checking the model…"),
    "upload_ok": ("已接受。", "Accepted."),
    "upload_refused": ("未被接受，请修改以下问题：", "Not accepted. Please fix these problems:"),
    "upload_failed": ("上传失败：", "The upload failed:"),
    "choose_file": ("请选择文件。", "Choose a file first."),
    "file_to_upload": ("要上传的文件", "File to upload"),
    "where": ("位置", "Where"),
    "limit": ("限制", "Limit"),
    "preview": ("预览", "Preview"),
    "open_3d": ("打开 3D 预览", "Open the 3D preview"),
    "viewer_title": ("3D 预览", "3D preview"),
    "viewer_unavailable": (
        "3D 预览暂不可用；下方是服务器生成的预览图。",
        "The 3D preview is not available yet; below is the server's preview picture.",
    ),
    "viewer_help": ("拖动旋转，滚轮缩放。", "Drag to turn, scroll to zoom."),
    "warnings": ("提示（模型已被调整）", "Notes (what was changed)"),
    "khronos": ("Khronos glTF 验证器", "Khronos glTF-Validator"),
    "khronos_note": (
        "标有「Khronos glTF 验证器」的问题由 glTF 官方验证器在调整到展位后的模型中发现，"
        "位置指该模型。请在 3D 软件中修正后重新导出。",
        "Problems marked “Khronos glTF-Validator” were found by the official glTF validator "
        "in the model as fitted to your booth; the positions refer to that model. Fix them "
        "in your 3D tool and export again.",
    ),
    "submit": ("提交审核", "Submit for approval"),
    "submit_hint": (
        "提交后，工作人员审核通过即上线，期间无法编辑。",
        "After you submit, staff review the booth; it goes live when approved. "
        "You cannot edit while it waits.",
    ),
    "withdraw": ("撤回提交", "Withdraw"),
    "waiting": ("已提交，等待工作人员审核。", "Submitted; waiting for staff."),
    "history": ("版本记录", "History"),
    "revision": ("版本", "Version"),
    "back": ("返回", "Back"),
    "error": ("出错了", "Something went wrong"),
    "forbidden": ("没有权限", "Not allowed"),
    "problems": ("请修改以下问题：", "Please fix these problems:"),
    # staff console
    "queue": ("待审核", "Waiting for approval"),
    "queue_empty": ("没有待审核的提交。", "Nothing is waiting for approval."),
    "booths": ("展位", "Booths"),
    "people": ("人员", "People"),
    "audit": ("审计日志", "Audit log"),
    "privacy": ("个人数据", "Personal data"),
    "privacy_intro": (
        "有人要求查看或删除展会保存的其个人数据时，按其电子邮箱或电话查找。"
        "先核实提出请求的是本人，再删除；删除记入审计日志（只记数量，不记是谁）。",
        "When a person asks to see or delete what the expo holds of them, look them up by "
        "email address or phone number. Check that the request comes from that person, then "
        "delete; the deletion is recorded in the audit log (how many, never whose).",
    ),
    "privacy_email": ("电子邮箱", "Email address"),
    "privacy_phone": ("电话", "Phone number"),
    "privacy_find": ("查找", "Look up"),
    "privacy_none": (
        "没有含此电子邮箱或电话的名片。",
        "No card holds this email address or phone number.",
    ),
    "privacy_held": ("展会保存的此人名片：{n} 张", "Cards the expo holds of this person: {n}"),
    "privacy_booth": ("展位", "Booth"),
    "privacy_name": ("姓名", "Name"),
    "privacy_organisation": ("单位", "Organisation"),
    "privacy_left_at": ("留下时间（UTC）", "Left (UTC)"),
    "privacy_title": ("职务", "Title"),
    "privacy_message": ("留言", "Message"),
    "privacy_consent": ("当时同意的文字", "The consent they gave"),
    "privacy_confirm": (
        "我已核实提出请求的是此人本人",
        "I have checked that this request comes from this person",
    ),
    "privacy_erase": ("删除这些名片", "Delete these cards"),
    "privacy_erased": ("已删除 {n} 张名片。", "Cards deleted: {n}."),
    "submitted_by": ("提交人", "Submitted by"),
    "submitted_at": ("提交时间", "Submitted"),
    "review": ("审核", "Review"),
    "proposed": ("新版本", "Proposed"),
    "current_live": ("线上版本", "Live now"),
    "approve": ("批准并上线", "Approve and put live"),
    "refuse": ("拒绝", "Refuse"),
    "reason": ("原因（展商可见）", "Reason (the exhibitor reads this)"),
    "approved_live": ("已批准，展位已上线。", "Approved: the booth is live."),
    "refused_done": ("已拒绝，展商会看到原因。", "Refused: the exhibitor sees the reason."),
    "owners": ("展商", "Exhibitors"),
    "assign": ("分配", "Assign"),
    "unassign": ("取消分配", "Unassign"),
    "invite": ("邀请", "Invite"),
    "invite_hint": (
        "邀请链接只显示一次，请通过安全渠道发给对方；对方打开后设置密码。",
        "The invite link is shown only once: send it to the person safely; they set "
        "their password there.",
    ),
    "invite_link": ("邀请链接", "Invite link"),
    "display_name": ("显示名称", "Display name"),
    "role": ("角色", "Role"),
    "role_exhibitor": ("展商", "Exhibitor"),
    "role_staff": ("工作人员", "Staff"),
    "disabled": ("已停用", "Disabled"),
    "disable": ("停用", "Disable"),
    "enable": ("启用", "Enable"),
    "invites": ("邀请记录", "Invites"),
    "expires": ("过期时间", "Expires"),
    "used": ("已使用", "Used"),
    "when": ("时间", "When"),
    "who": ("操作人", "Who"),
    "what": ("操作", "What"),
    "target": ("对象", "Target"),
    "details": ("详情", "Details"),
    "none": ("无", "none"),
    # moderating the live hall
    "moderation": ("现场管理", "Moderation"),
    "moderated": ("已执行，所有节点同时生效。", "Done, on every node at once."),
    "hall": ("展厅", "Hall"),
    "slow_mode": ("慢速模式", "Slow mode"),
    "slow_mode_hint": (
        "每位访客每隔多少秒才能发一条聊天消息（0 为关闭）。",
        "How many seconds each visitor waits between chat messages (0: off).",
    ),
    "set": ("设置", "Set"),
    "reports": ("举报", "Reports"),
    "reports_empty": ("没有待处理的举报。", "No open reports."),
    "reporter": ("举报人", "Reported by"),
    "reported": ("被举报人", "Reported"),
    "message_text": ("消息", "Message"),
    "report_reason": ("理由", "Reason"),
    "outcome": ("处理结果", "What was done"),
    "close_report": ("关闭举报", "Close report"),
    "people_in_hall": ("展厅中的人", "People in the hall"),
    "nobody": ("展厅里没有人。", "Nobody is in the hall."),
    "badge_staff": ("工作人员", "Staff"),
    "badge_speaker": ("嘉宾", "Speaker"),
    "kind_account": ("账号", "account"),
    "kind_guest": ("访客令牌", "guest token"),
    "kind_anonymous": ("匿名（无法封禁）", "anonymous (cannot be banned)"),
    "kind_elsewhere": ("在其他节点", "on another node"),
    "muted_until": ("禁言至", "Muted until"),
    "minutes": ("分钟", "minutes"),
    "hours": ("小时", "hours"),
    "mute": ("禁言", "Mute"),
    "unmute": ("解除禁言", "Unmute"),
    "kick": ("移出", "Remove"),
    "ban": ("封禁", "Ban"),
    "why": ("原因（对方可见）", "Reason (they read it)"),
    "recent_chat": ("最近的聊天", "Recent chat"),
    "chat_empty": ("还没有聊天消息。", "No chat yet."),
    "delete": ("删除", "Delete"),
    "bans": ("生效中的封禁", "Bans in force"),
    "bans_empty": ("没有生效中的封禁。", "No bans in force."),
    "until": ("截止", "Until"),
    "by": ("执行人", "By"),
    "lift": ("解除", "Lift"),
    **FORUM_STRINGS,
    **REACH_STRINGS,
}


def translator(lang: Lang) -> Callable[[str], str]:
    """``t(key)`` for templates: the string in ``lang`` (the key itself if unknown)."""
    index = 0 if lang == "zh" else 1

    def t(key: str) -> str:
        pair = STRINGS.get(key)
        return key if pair is None else pair[index]

    return t


def pick_language(query: str | None, cookie: str | None, accept: str | None) -> Lang:
    """The page language from the URL, the cookie, then ``Accept-Language``."""
    for value in (query, cookie):
        if value in LANGS:
            return "zh" if value == "zh" else "en"
    for part in (accept or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("zh"):
            return "zh"
        if tag.startswith("en"):
            return "en"
    return "en"


def text_in(text: Mapping[str, str] | None, lang: Lang) -> str:
    """A bilingual ``{"zh", "en"}`` text in ``lang`` (falling back to the other language)."""
    if not text:
        return ""
    return text.get(lang) or text.get("en") or text.get("zh") or ""
