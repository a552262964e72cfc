"""Structure over word lists: risk *frames*, two or three kinds of word near each other.

A word list catches "烫伤"; it misses "开水溅到我胳膊上，起了一大片水泡". A frame says what
an incident is made of: a body part or a person near a harm word, a product part near a
failure word, an amount of money near a loss or transfer word, a scam marker near a payment,
an intent word near a channel (a regulator, the media, a court), a time limit near a demand.
Each kind of word is a class below (open lists, so a new body part or regulator is one word);
each frame is a regular expression over those classes whose groups are the *anchors*: the
words the reason names ("胳膊" + "水泡").

Frames are shipped code, like ``lexicon.py``: admins add words and patterns in their rules
files (``RULES.md``), and every frame hit passes the same context checks as a word (negation,
hypothetical, counterfactual, reported, framing, resolved: ``engine.py``).

The gaps stay inside one clause (``C``) or one sentence (``S``); text is ``normalize.clean``
output, lower-cased, so full-width punctuation is ASCII (``,`` ``!`` ``?`` ``:`` ``;``).
"""

from __future__ import annotations

import re
from functools import lru_cache

C = r"[^,、:;。!?\n~…]"  # a character inside one clause
S = r"[^。!?;\n]"        # a character inside one sentence


# Single characters that are also parts of common words: "麻" in 麻烦, "伤" in 伤心, "头" in
# 摄像头. Each is matched only where the guard (look-behind + look-ahead) allows.
GUARDS: dict[str, tuple[str, str]] = {
    "手": ("把扶拉对高能新老帮打选凶歌助水", "机续表工套环办里动游柄头感艺法段"),
    "头": ("像镜插龙枕码里外上前后回点开年罐馒骨石木锄拳舌额光奔两车笔源", "像条等盔发绳"),
    "眼": ("针显亲转字", "镜看光神"),
    "皮": ("削果树橡真牛羊猪调顽陈书封地", "包鞋带衣革具肤"),
    "背": ("后靠椅", "包景"),
    "牙": ("月象", "膏刷"),
    "划": ("计规策", "算分线掉船"),
    "扎": ("", "实"),
    "夹": ("文", "子层克心"),
    "烧": ("红发", "烤饼麦鸡鹅肉菜饭钱"),
    "撞": ("", "色衫单"),
    "伤": ("悲忧感哀", "心感脑筋"),
    "麻": ("芝", "烦辣将酱"),
    "针": ("", "对织线"),
    "血": ("", "拼压型"),
    "晕": ("", "车船"),
    "疼": ("心", "爱"),
    "痛": ("心悲苦", "快"),
    "吃": ("小好", "饭了吗"),
    "喝": ("好", ""),
    "吐": ("吞", "槽"),
    "肿": ("臃", ""),
    "痒": ("止", ""),
    "贴": ("体", "心吧"),
    "穿": ("", "搭越"),
}


def _one(word: str) -> str:
    if word not in GUARDS:
        return re.escape(word)
    behind, ahead = GUARDS[word]
    return ((f"(?<![{behind}])" if behind else "") + re.escape(word)
            + (f"(?![{ahead}])" if ahead else ""))


def _alt(words: str) -> str:
    return "(?:" + "|".join(_one(w) for w in sorted(set(words.split()), key=len,
                                                    reverse=True)) + ")"


CLASSES: dict[str, str] = {
    # --- safety ---------------------------------------------------------------------------
    "PERSON": _alt("""我 我们 孩子 小孩 儿子 女儿 宝宝 婴儿 老人 老婆 老公 我妈 我爸 妈妈
        爸爸 奶奶 爷爷 外婆 姥姥 家人 全家 一家人 一家三口 人 顾客 乘客 游客 学生 同事 闺女
        儿童"""),
    "BODY": _alt("""手 头 眼 皮 背 牙 手指 手掌 手心 手背 手腕 胳膊 手臂 腿 小腿 大腿 脚
        脚趾 脚背 脚踝 膝盖 头皮 额头 脸 脸上 眼睛 嘴 嘴里 嘴唇 舌头 门牙 牙齿 喉咙 嗓子
        脖子 后背 腰 腰椎 胸口 胸 肚子 胃 皮肤 头发 耳朵 下巴 鼻子 指甲 指尖 全身 身上 肩膀
        屁股 嘴巴 口腔 手肘 虎口 胳膊肘 脑袋 后脑勺 眉骨 眼角 眼皮 鼻梁 嘴角 脚底 脚掌 小腹
        肋骨 关节 颈椎 尾椎"""),
    "HARM": _alt("""割 割开 割破 割伤 划 划破 划开 划伤 划了 削 扎 扎进 砸 砸到 砸在 砸伤 夹
        夹住 夹伤 烫 烫伤 烫红 烫出 灼伤 烧 烧伤 燎 电到 被电 麻 发麻 摔 摔倒 摔伤 磕 磕破
        撞 撞伤 咬破 噎 卡住 伤 受伤 肿 红肿 破了 流血 出血 血口子 血 骨裂 骨折 起泡 水泡
        起疹 红疹 疹子 溃烂 刺痛 疼 痛 晕 抽搐 昏迷 窒息 喘不上气 缝了 缝针 针 淤青 青紫
        紫了 掀了 脱皮 掉了一块 硌掉 过敏 皮炎 痒 视力下降 看不清 失明 失聪 割到 刮伤 刮破
        蹭破 擦伤 扭伤 崴 挫伤 脑震荡 留疤 疤 抽筋 起水泡 烧焦 淤血 流脓 感染 发炎 晕倒 昏倒
        休克"""),
    "CONSUME": _alt("""吃 吃了 吃完 喝 喝了 喝完 服用 服了 用了 用完 涂 抹 贴 戴 穿 睡 闻 洗
        喷 吃过 喝过 尝 咬 擦"""),
    "SYMPTOM": _alt("""吐 呕吐 拉肚子 拉稀 腹泻 腹痛 肚子疼 肚子痛 胃疼 胃痛 绞痛 发烧 高烧
        头晕 头疼 头痛 想吐 反胃 起疹 红疹 疹子 红点 过敏 肿 痒 抽搐 昏迷 住院 急诊 医院
        输液 洗胃 挂水 心跳 手抖 喘不上气 呼吸困难 中毒 咳嗽 流鼻血 发紫 嘴唇发紫 看不清
        疼醒 跑厕所 跑了一晚上厕所 上吐下泻 痢疾 皮炎 起泡 腹胀 胃痉挛 头昏 心慌 心悸 气短
        乏力 浑身无力 荨麻疹 哮喘 口腔溃疡 嗓子疼 喉咙痛 视线模糊 晕倒 昏倒 休克 抢救 重症
        icu 过敏性 皮疹 起包 水肿 便血 尿血 高烧不退"""),
    "FOOD": _alt("""饭 米饭 炒饭 菜 肉 鸡 鸡肉 鱼 虾 牛排 牛肉 猪肉 面包 酸奶 牛奶 奶 奶粉
        奶茶 蛋 鸡蛋 水果 西瓜 熟食 饮料 果汁 罐头 零食 饼干 月饼 蛋糕 汤 外卖 面条 面 饺子
        包子 沙拉 寿司 烤串 火锅 米粉 辅食 食品 食物 粥 咖啡 药 药品 饮用水 矿泉水"""),
    "IN_FOOD": _alt("吃出 喝出 吃到 喝到 里有 上有 里面有 里发现 中有 里竟然有 里居然有 嚼到 咬到"),
    "OBJECT": _alt("""铁丝 钢丝 钢丝球 玻璃 碎玻璃 玻璃渣 钉子 虫 虫子 小虫 蟑螂 死蟑螂 苍蝇
        头发 塑料 塑料片 创可贴 石子 石头 沙子 毛发 烟头 刀片 蛋壳 封口膜 异物 铁屑 金属
        螺丝 木屑 指甲 蛆 老鼠 头发丝 猫毛 狗毛 纸巾 抹布 手套 指甲盖 骨头渣 铁钉 玻璃碴
        橡皮筋 保鲜膜 绳子 图钉"""),
    "SPOILED": _alt("""馊 馊味 发臭 臭了 酸臭 臭味 长毛 长了毛 发霉 霉变 霉斑 霉点 变质
        放坏了 发黏 拉丝 胀气 胀袋 发酵 酒味 过期 超过有效期 发苦 变味 哈喇味 发绿 灰绿"""),
    "FIRE": _alt("""起火 着火 着了 失火 冒烟 冒黑烟 冒火花 打火花 火花 火星 火苗 烧黑 烧焦
        焦糊 焦味 焦糊味 烧了 熔了 鼓包 爆炸 自燃 点着 烧着 燃起来 冒火 砰的一声 烧起来 黑烟
        明火 火光 爆燃 烧穿 烧化 着起来 冒火星"""),
    "ELECTRIC": _alt("""带电 外壳有电 被电 电了一下 电得 电倒 触电 漏电 会打人 是麻的
        麻了一下 电击 击了一下"""),
    "GAS": _alt("""煤气味 天然气味 燃气味 煤气泄漏 燃气泄漏 天然气泄漏 漏气 一氧化碳 嘶嘶"""),
    "VEHICLE_PART": _alt("""刹车 制动 方向盘 转向 方向 气囊 安全气囊 轮胎 胎 车把 油门 动力
        发动机 电池 车 车子 汽车 电动车 新车 自动驾驶 平衡车 扶梯 电梯"""),
    "VEHICLE_FAIL": _alt("""失灵 失控 踩不下去 刹不住 发软 变沉 特别沉 打不动 没弹出
        没有弹出 没弹开 中断 突然熄火 熄火 自燃 起火 松了 断了 突然加速 急刹 溜车 往前溜
        锁死 倒转 爆胎 爆了 冒烟 制动失效 转向失灵 刹不住车 自己打开 自动打开 爆裂 突然断电
        失去动力 自己启动 自行启动"""),
    "NEAR_MISS": _alt("""差点 差一点 险些 差点儿"""),
    "NEAR_HARM": _alt("""撞 追尾 出事 出人命 摔 掉下 砸 噎 吞下 吸进 烧 点了 着了 起火 被电
        电到 烫到 割到 划到 卡住 伤到 没命"""),
    "CHILD": _alt("孩子 小孩 宝宝 婴儿 儿子 女儿 儿童"),
    "CHOKE": _alt("""噎 卡进 卡住 卡在 吞下 吞了 误吞 塞进嘴 吸进 窒息 咬破 吞进 卡喉 误食
        吞食 夹手 卡到"""),
    "FALL": _alt("掉下来 掉下去 塌了 断裂 脱落 倒塌 砸下来 折了 掉了下来"),
    # --- money ----------------------------------------------------------------------------
    "AMOUNT": r"(?:(?:\d[\d,.]*|[一二两三四五六七八九十百千万几]+)多?"
              r"(?:元|块(?![皮肉布玻石地头儿状])|万|千|百)(?:多)?|"
              r"[两三四五六七八九十几\d]+笔|钱|余额|存款|积分|话费|资金|装备)",
    "LOSS": _alt("""清零 变成了0 变成0 转走 划走 刷走 取走 扣走 被扣 被刷 被盗 盗刷 被转
        被划 刷掉 多刷 偷偷 被骗 骗走 骗了 转出去 被转出 被取"""),
    "SCAM": _alt("""冒充 假客服 冒牌 自称 安全账户 共享屏幕 屏幕共享 验证码 刷单 返利 备用金
        退款专员 会议软件 诈骗 骗子 钓鱼 涉嫌洗钱 保障服务 卷款 跑路 再也联系不上 拉黑了我
        把我拉黑 注销 征信 解冻 保证金 杀猪盘 高额回报 刷流水 对方让我 不能提现 提现不了
        无法提现 套路贷 校园贷"""),
    "PAY": _alt("""转了 转账 转到 转过去 付了 垫付 垫了 借款 填了 输了 输入 扣了 刷了 扣费
        被扣 少了 没了 划走 转出 被刷 兑换 贷款 网贷 分期 扫完 开通 盗刷 预付 付款 充值"""),
    "UNAUTH": _alt("""没授权 没有授权 未授权 没开过 没开通过 从没申请 没申请 根本没有买
        根本没买 根本没有消费 没消费过 没有消费 根本不知道 偷偷 莫名其妙 莫名 自动开通
        自动续费 没有任何验证 早就取消"""),
    "CHARGE": _alt("""扣 扣了 扣费 扣款 刷了 消费了 续费 开通 多出 多了一笔 下单 充值 被刷
        账单上"""),
    "ACCOUNT": _alt("""账号 账户 密码 免密 手机号 绑定手机 支付宝 微信 app 花呗 信用卡
        银行卡 旧号 积分 身份"""),
    "TAKEOVER": _alt("""被盗 被改 被登 被别人 别人登 被人登 外地被登录 异地登录 外地登录
        被注册 被冒用 被盗用 盗用 被换 登上了"""),
    "PII": _alt("""数据 用户数据 姓名 名字 全名 身份证 身份证号 手机号 地址 住址 订单号
        个人信息 邮箱 密码 身份"""),
    "LEAK": _alt("""泄露 报出 卖给 一览无余 印出来 发到群 被人用 冒用 办了 拿去 知道我的
        被卖"""),
    # --- threats --------------------------------------------------------------------------
    "REGULATOR": _alt("""12315 一二三一五 12345 12331 消协 消保委 消费者协会 市场监管
        市场监督管理 市监局 工商 工商部门 网信办 银保监 金融监管 证监会 药监局 食药监 卫健委
        卫生局 民航局 邮政管理局 邮政局 工信部 文旅局 旅游局 质监局 监管部门 相关部门
        有关部门 主管部门 监管局 物价局 交通局 住建局 消费者权益保护委员会 药品监督
        食品药品监督 交通运输局 文化和旅游局 商务局 人民银行 央行 证监局 通信管理局 市长信箱
        银行业协会 保险业协会"""),
    "MEDIA": _alt("""电视台 报社 记者 媒体 新闻热线 民生栏目 频道 栏目 抖音 小红书 微博
        朋友圈 网上 全网 各大平台 热搜 知乎 b站 头条 快手 视频号 论坛 贴吧 新闻 公众号 央视
        焦点访谈 新京报 澎湃 今日说法 都市报 晚报 日报 民生热线 帮忙栏目 大v 博主"""),
    "POST": _alt("""发到 发在 发出来 发给了 发给 发上 挂到 挂出来 挂在 写 发帖 发视频 传到
        放到 曝光 爆料"""),
    "PUBLISH": _alt("""曝光 爆料 上新闻 公之于众 让所有人 让大家 让全网 让更多人 挂到网上
        挂出来 挂网上"""),
    "COURT": _alt("""律师 法庭 法院 起诉 诉状 起诉书 司法程序 司法 仲裁 报警 报了警 报案
        立案 告你们 去告 法律途径 法律后果 公证 打官司 诉讼 律所 维权律师 法律援助 小额诉讼
        公益诉讼 110 检察院 讨说法"""),
    "INTENT": _alt("""我 我们 要 会 就 准备 打算 已经 已 马上 立刻 今晚 明天 直接 只能 只好
        必须 一定 等着 那边见 见"""),
    # --- deadline -------------------------------------------------------------------------
    "TIME": r"(?:今天|今晚|明天|后天|明早|明晚|本周|这周|下周[一二三四五六日天]?|"
            r"周[一二三四五六日天末]|星期[一二三四五六日天]|本月底|月底|月初|年底|下班|中午|上午|"
            r"国庆|春节|过年|节前|元旦|中秋|双十一|开学|"
            r"下午|晚上|(?:\d{1,2}|[一二三四五六七八九十]{1,3})(?:点|号|日)|"
            r"(?:\d{1,3}|[一二两三四五六七八九十]{1,3})个?(?:工作日|天|小时|日|周|星期|礼拜))",
    "BEFORE": r"(?:之前|以前|前|之内|以内|内|为止)",
    "DEMAND": _alt("""必须 务必 给我 请 否则 不然 别怪 后果自负 不客气 没完 就不等了 不等了
        到时候 退款 退钱 回复 答复 处理 解决 联系 补发 换货 回电话 打电话 到账 给个说法
        处理方案 结果 不给 不退 不解决 不处理 就按 给出 赔偿 上门 派人 换新 给我换 说法 交代"""),
    "LIMIT": _alt("""限你们 限期 给你们 只给你们 最多再等 最多等到 最多等 最迟 最晚"""),
    # --- repeat and group -----------------------------------------------------------------
    "TIMES": r"(?:第[二三四五六七八九十\d]+次|[二三四五六七八九十两几\d]+次|好几次|好几回|"
             r"[二三四五六七八九十两几\dn]+遍|多次|无数次|反复|一再|屡次|再次|又一次|好多次|几回)",
    "ASKED": _alt("""投诉 反映 反馈 提交 工单 来投诉 找你们 跟你们说 申诉 投诉过 反映过 留言
        私信 发邮件 留言了 打电话投诉"""),
    "CONTACTED": _alt("""联系 客服电话 打了 打电话 催 问了 问 修 修了 修过 说了 找了 报修"""),
    "BEFORE_TIME": _alt("上次 之前 上周 上个月 前几天 前天 昨天 已经 早就 一周前 半个月前"),
    "STILL": _alt("""到现在 至今 还没 没有下文 没下文 没人 没动静 一点动静 没解决 没处理
        还是 又坏 不见 一直 没回 没人回 没人管 让我等 老毛病 没有结果 不了了之 没有回复
        没人处理 石沉大海 杳无音讯 没有任何回音 没回音 没有回音 没反应 没有反应"""),
    "CROWD": r"(?:几十|上百|数百|几百|好几百|一百多|两百多|二百多|"
             r"(?:\d+|[二三四五六七八九十百]+)多?|好多|很多|不少|许多|大批|一群|整栋楼|整个小区|"
             r"全小区|一个班|全班|全村)个?(?:位|户|名)?"
             r"(?:户|家|人|家长|业主|学员|同事|宝妈|网友|用户|顾客|住户|孩子|宝宝|学生|员工|消费者|"
             r"车主|老人|邻居|居民|租户|会员|群友|买家|乘客|旅客|病友|患者|商户)",
    "TOGETHER": _alt("""都 全 全都 全部 一起 同样 一样 集体 联名 均 纷纷 普遍"""),
    "PROBLEM": _alt("""问题 故障 遇到 出现 反映 投诉 维权 被 没退 没有退 拉肚子 腹泻
        上吐下泻 坏 扣 霸王 骗 中毒 住院 受伤 退不了 起火"""),
}

# (rule, pattern): {NAME} is a class; every (...) group is an anchor named in the reason.
FRAMES: tuple[tuple[str, str], ...] = (
    # safety: a person or body part near a harm word (either order), in one clause
    ("safety", "({BODY})" + C + "{0,7}?({HARM})"),
    ("safety", "({HARM})" + C + "{0,6}?({BODY})"),
    ("safety", "({PERSON})被" + C + "{0,3}?({HARM})"),
    ("safety", "({PERSON})" + C + "{0,2}?(摔倒|摔伤|摔下来|摔在|烫伤|骨折|住院|噎住|窒息|送医)"),
    # safety: taken, eaten or used, then a symptom, in one sentence
    ("safety", "({CONSUME})" + S + "{0,24}?({SYMPTOM})"),
    # safety: a foreign object in food, spoiled food
    ("safety", "({IN_FOOD})" + C + "{0,8}?({OBJECT})"),
    ("safety", "({FOOD})" + S + "{0,12}?({SPOILED})"),
    ("safety", "(馊味|发霉|霉变|长毛了|发臭了)"),
    ("safety", "({FOOD})" + S + "{0,12}?(长了" + C + "{0,5}?毛)"),
    ("safety", "(开水|热水|热油|滚汤|热汤|沸水|滚油|热汤)" + C + "{0,6}?(溅|浇|洒|泼|喷)"),
    ("safety", "(烫得|烫|烧得|灼得)" + C + "{0,4}?(起泡|水泡|通红|红肿|脱皮|掉皮|起了泡)"),
    ("safety", "(甲醛)" + C + "{0,10}?(超标|国标|倍|刺鼻|熏)"),
    ("safety", "(冒出?一?股?[黑白浓青]?烟)"),
    # safety: fire, smoke, electricity, gas (the words are the incident); things bursting
    ("safety", "({FIRE})"),
    ("safety", "({ELECTRIC})"),
    ("safety", "({GAS})"),
    ("safety", "(突然|直接|当场|一声|{VEHICLE_PART}|手机|电池|充电宝|锅|杯|瓶|屏幕|灯|插座|玻璃)"
               + C + "{0,8}?(炸了|炸开|爆了|爆开|炸裂|爆裂|崩出来|飞出来|冲上)"),
    # safety: a vehicle part near a failure; a near miss; a child near choking; a fall
    ("safety", "({VEHICLE_PART})" + C + "{0,8}?({VEHICLE_FAIL})"),
    ("safety", "({NEAR_MISS})" + C + "{0,4}?({NEAR_HARM})"),
    ("safety", "({CHILD})" + S + "{0,12}?({CHOKE})"),
    ("safety", "({FALL})" + S + "{0,16}?({NEAR_MISS}|砸|摔|{BODY}|还好|幸好|幸亏)"),
    ("safety", "({VEHICLE_PART}|门)" + S + "{0,16}?(夹住|夹到|夹伤)"),
    ("safety", "(玻璃|栈道|护栏|栏杆|桥|楼梯|台阶|扶手|阳台)" + C
               + "{0,6}?(裂了|断了|松动|塌了|塌陷)"),
    ("safety", "(急刹|刹车时|碰撞|撞击)" + S + "{0,10}?({CHILD}|人|老人)" + C
               + "{0,6}?(往前冲|飞出|甩出|撞到|冲出去)"),
    ("safety", "(药)" + S + "{0,20}?(装错|发错|不是一种|不是同一种|货不对板)"),
    # money: an amount near a loss, a scam marker near a payment, an unauthorised charge,
    # an account taken over, personal data leaked
    ("money", "({AMOUNT})" + C + "{0,10}?({LOSS})"),
    ("money", "(卡里|卡上|账户里|账户|余额|钱包里|钱包|支付宝里|微信里|存款)" + C
              + "{0,8}?(少了|没了|不见了|清零|变成了?0)"),
    ("money", "({LOSS})" + C + "{0,8}?({AMOUNT})"),
    ("money", "({SCAM})" + S + "{0,30}?({PAY})"),
    ("money", "({PAY})" + S + "{0,20}?({SCAM})"),
    ("money", "(验证码)" + S + "{0,30}?(登不上|被改|被登|登录不了|登不进)"),
    ("money", "({LOSS})" + C + "{0,3}?(\\d{2,}(?:\\.\\d+)?)"),
    ("money", "((?:两|三|好几|几|多)笔)" + S + "{0,10}?(扣款|扣费|消费|扣了|刷了)"),
    ("money", "(被消费了|被扣了|扣了|刷了|消费了)" + C + "{0,3}?((?:两|三|好几|几|多)笔)"),
    ("money", "({UNAUTH})" + S + "{0,20}?({CHARGE})"),
    ("money", "({CHARGE})" + S + "{0,16}?({UNAUTH})"),
    ("money", "({ACCOUNT})" + S + "{0,12}?({TAKEOVER})"),
    ("money", "({PII})" + S + "{0,16}?({LEAK})"),
    ("money", "({LEAK})" + S + "{0,10}?({PII})"),
    # threats: an intent word near a channel
    ("regulator", "({INTENT})" + C + "{0,8}?({REGULATOR})"),
    ("regulator", "({REGULATOR})" + C + "{0,6}?(那边见|见|上门|来管|来跟你们谈|处理你们)"),
    ("media", "({INTENT})" + C + "{0,10}?({MEDIA})" + C + "{0,6}?({POST}|上)"),
    ("media", "({INTENT})" + C + "{0,12}?({POST})" + C + "{0,6}?({MEDIA})"),
    ("media", "({INTENT})" + C + "{0,16}?({PUBLISH})"),
    ("legal", "({INTENT})" + C + "{0,8}?({COURT})"),
    # deadline: a limit right before a time, or a time limit near a demand
    ("deadline", "({LIMIT})" + C + "{0,2}?({TIME})"),
    ("deadline", "({TIME}){BEFORE}" + S + "{0,14}?({DEMAND})"),
    # repeat: asked many times, or asked before and still nothing
    ("repeat", "({TIMES})" + C + "{0,8}?({ASKED})"),
    ("repeat", "(第[二三四五六七八九十\\d]+次)" + C + "{0,6}?({CONTACTED}|{ASKED})"),
    ("repeat", "({ASKED})" + C + "{0,4}?({TIMES})"),
    ("repeat", "({BEFORE_TIME})" + S + "{0,10}?({ASKED}|{CONTACTED})" + S + "{0,24}?({STILL})"),
    ("repeat", "({CONTACTED})" + C + "{0,6}?({TIMES})" + S + "{0,20}?({STILL})"),
    ("repeat", "({TIMES})" + C + "{0,6}?({CONTACTED})" + S + "{0,20}?({STILL})"),
    # group: many people, all the same, with a problem
    ("group", "({CROWD})" + S + "{0,12}?({TOGETHER})" + S + "{0,16}?({PROBLEM})"),
    ("group", "((?:几十|上百|几百|一百多|两百多|[二三四五六七八九十百]+多?)个)(都|全)" + S
              + "{0,16}?({PROBLEM}|上吐下泻|呕吐)"),
    ("group", "(集体维权|联名投诉|维权群|集体投诉|群体投诉|一起维权)"),
)


def _expand(pattern: str) -> str:
    return re.sub(r"\{([A-Z_]+)\}", lambda m: CLASSES[m.group(1)], pattern)


@lru_cache(maxsize=1)
def compiled() -> dict[str, tuple[re.Pattern[str], ...]]:
    """The frames by rule, compiled."""
    out: dict[str, list[re.Pattern[str]]] = {}
    for rule, pattern in FRAMES:
        out.setdefault(rule, []).append(re.compile(_expand(pattern)))
    return {rule: tuple(pats) for rule, pats in out.items()}
