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
    "霉": ("倒发真", "运头气"),
    "面": ("里外上下前后方见表全对封界画版页层字正反侧水桌路地", "膜具包板料积对前子试"),
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


# How many people (a number, not "好多") and who they are, for the crowd classes.
_COUNT = (r"(?:几十|上百|数百|几百|好几百|一百多|两百多|二百多|上千|几千|数千|好几千|上万|几万|"
          r"成百上千|"
          r"(?:\d{2,}|[二三四五六七八九十百]*[十百][二三四五六七八九]?)[多几]?)")
_PEOPLE = (r"(?:户|家|人|条|家长|业主|学员|同事|宝妈|网友|用户|顾客|住户|孩子|宝宝|学生|员工|"
           r"消费者|"
           r"车主|老人|邻居|居民|租户|会员|群友|买家|乘客|旅客|病友|患者|商户|家庭)")

CLASSES: dict[str, str] = {
    # --- safety ---------------------------------------------------------------------------
    "PERSON": _alt("""我 我们 孩子 小孩 儿子 女儿 宝宝 婴儿 老人 老婆 老公 我妈 我爸 妈妈 爸爸
        奶奶 爷爷 外婆 姥姥 家人 全家 一家人 一家三口 人 顾客 乘客 游客 学生 同事 闺女 儿童
        老二 老大 二宝 大宝 小宝 娃 孩 老人家 我奶奶 我爷爷 我姥姥 我外婆 他们 家里人 室友 朋友
        婆婆 公公 岳母 丈母娘"""),
    "BODY": _alt("""角膜 鼻孔 耳道 耳孔 牙根 头皮上 血管 眼底 视网膜 鼻腔 喉管 食道 气管 手 头
        眼 皮 背 牙 手指 手掌 手心 手背 手腕 胳膊 手臂 腿 小腿 大腿 脚 脚趾 脚背 脚踝 膝盖 头皮
        额头 脸 脸上 眼睛 嘴 嘴里 嘴唇 舌头 门牙 牙齿 喉咙 嗓子 脖子 后背 腰 腰椎 胸口 胸 肚子
        胃 皮肤 头发 耳朵 下巴 鼻子 指甲 指尖 全身 身上 肩膀 屁股 嘴巴 口腔 手肘 虎口 胳膊肘
        脑袋 后脑勺 眉骨 眼角 眼皮 鼻梁 嘴角 脚底 脚掌 小腹 肋骨 关节 颈椎 尾椎 鼻血 太阳穴 锁骨
        尾巴骨 尾骨 髋骨 盆骨 骨盆 韧带 跟腱 肌腱 后颈 眉毛 眼眶 眼球 瞳孔 耳膜 牙龈 上颚 胸骨
        手骨 指骨 趾骨 大拇指 小拇指 拇指 食指 中指 无名指 手指头 手指甲 脚指头 脚趾头 脚后跟
        脚跟 上臂 前臂 小臂 大臂 手肘 膝关节 脚腕 手腕子 腿上 胳膊上 脸颊 面部 脸部 头顶 头部
        头上 后脑 脑门 鬓角 嘴皮 皮肉 骨头 伤口 腹部 背部 腰部 私处 下体 乳房 乳头 脚面 眼周"""),
    "HARM": _alt("""缝了 缝针 缝合 打了石膏 上了夹板 骨裂 骨折 脱臼 韧带撕裂 拍了片 拍片 做了ct
        拍了ct 照了ct 挂了急诊 送急诊 急诊 住院 进了医院 送医院 去医院 去了医院 医院处理 包扎
        清创 打了破伤风 留疤 留了疤 疤痕 淤青 乌青 乌紫 青紫 肿了个大包 起了个大包 大包
        鸡蛋大的包 血淋淋 血肉模糊 流了很多血 流血 出血 牙松了 门牙松了 牙齿松了 牙掉了 门牙掉了
        磕掉 磕断 红印子 红肿 起泡 水泡 烫伤 烧伤 灼伤 栓塞 坏死 感染 发炎 切开 切破 切了 乌紫
        发紫 发白发紫 紫青 青肿 肿了个 肿起来 鼓了个包 起了个包 栓塞 坏死 红印子 红印 印子
        留了一块 绊倒 绊了一下 扑在 扑倒 磕伤 磕肿 撞出 撞破 夹出 夹伤了 压得 砸得 割 割开 割破
        割伤 划 划破 划开 划伤 划了 削 扎 扎进 砸 砸到 砸在 砸伤 夹 夹住 夹伤 烫 烫伤 烫红 烫出
        灼伤 烧 烧伤 燎 电到 被电 麻 发麻 摔 摔倒 摔伤 磕 磕破 撞 撞伤 咬破 噎 卡住 伤 受伤 肿
        红肿 破了 流血 出血 血口子 血 骨裂 骨折 起泡 水泡 起疹 红疹 疹子 溃烂 刺痛 疼 痛 晕 抽搐
        昏迷 窒息 喘不上气 缝了 缝针 针 淤青 青紫 紫了 掀了 脱皮 掉了一块 硌掉 过敏 皮炎 痒
        视力下降 看不清 失明 失聪 割到 刮伤 刮破 蹭破 擦伤 扭伤 崴 挫伤 脑震荡 留疤 疤 抽筋
        起水泡 烧焦 淤血 流脓 感染 发炎 晕倒 昏倒 休克 戳进 戳到 戳伤 戳破 刺进 刺破 刺伤 扎到
        扎伤 扎破 压到 压伤 压住 压断 压碎 压在 碾到 碾压 轧到 轧伤 甩出 甩出去 甩下来 甩飞 弹到
        弹在 崩到 崩在 打在 打到 拍在 磕在 磕到 磕断 磕掉 撞在 撞上 撞到 撞断 砸中 砸断 砸破
        砍到 砍伤 切到 切伤 切掉 削掉 拉了一条口子 口子 刮掉 刮到 擦破 蹭破 蹭掉 扯掉 扯伤 扭了
        闪了 闪到 脱臼 错位 撕裂 骨裂 粉碎性 鼻血 流血不止 血流 渗血 出血了 血肉模糊 深可见骨
        见骨 烫掉 烫起 烫出泡 烫焦 烧掉 燎到 灼痕 灼伤了 红了一大片 红了一片 一大片红 通红 发红
        起红 肿了 肿起 肿成 肿得 青一块 紫一块 黑青 乌青 淤肿 化脓 流脓 流黄水 溃疡 破皮 掉皮
        脱了一层皮 起皮 麻木 没知觉 失去知觉 抬不起来 动不了 下不了床 坐不下 站不起来 走不了路
        不能走路 不能动 瘸 眼冒金星 看不见 流泪不止 睁不开 失去意识 不省人事 昏过去 晕过去 缝了
        缝合 打了破伤风 破伤风 骨头断 憋紫 憋得 喘不过气 呛到 呛了 呛进
        擦烂 擦烂了 磨烂 蹭烂 磨破 皮没了 皮都没了 一块皮 一大块皮 掉了块肉 剪破 剪伤 转不了头
        直不起腰 弯不了腰 张不开嘴 抬不起胳膊""")[:-1]
        + r"|起了?[一两三四五六七八九十好几个大小多]*泡(?![面脚茶沫饭澡]))",
    "CONSUME": _alt("""吃 吃了 吃完 喝 喝了 喝完 服用 服了 用了 用完 涂 抹 贴 戴 穿 睡 闻 洗 喷
        吃过 喝过 尝 咬 擦"""),
    "SYMPTOM": _alt("""吐 呕吐 拉肚子 拉稀 腹泻 腹痛 肚子疼 肚子痛 胃疼 胃痛 绞痛 发烧 高烧
        头晕 头疼 头痛 想吐 反胃 起疹 红疹 疹子 红点 过敏 肿 痒 抽搐 昏迷 住院 急诊 医院 输液
        洗胃 挂水 心跳 手抖 喘不上气 呼吸困难 中毒 咳嗽 流鼻血 发紫 嘴唇发紫 看不清 疼醒 跑厕所
        跑了一晚上厕所 上吐下泻 痢疾 皮炎 起泡 腹胀 胃痉挛 头昏 心慌 心悸 气短 乏力 浑身无力
        荨麻疹 哮喘 口腔溃疡 嗓子疼 喉咙痛 视线模糊 晕倒 昏倒 休克 抢救 重症 icu 过敏性 皮疹
        起包 水肿 便血 尿血 高烧不退 坏肚子 闹肚子 吃坏了 发冷 冷汗 出冷汗 打寒战 寒颤 发麻
        嘴麻 舌头发麻 嘴唇发麻 喉咙发紧 嗓子发紧 肿了 脸肿 眼睛肿 起红疙瘩 红疙瘩 疙瘩 风团
        起风团 拉了 拉水 拉出来全是水 水样便 吐了 一直吐 吐奶 吐了一晚上 肚子绞着疼 绞着疼 虚脱
        脱水 心慌 手抖 黄疸 脸黄 转氨酶 肝受损 肝损伤 肾损伤 头痛欲裂 头重脚轻 眼花 反酸
        胃不舒服 肚子不舒服 浑身难受 烧到 三十九度 三十八度 四十度 挂了急诊 挂急诊 挂盐水 打针
        吊瓶 吊水 看医生 送医 就医
        发晕 晕乎乎 晕晕的 头昏眼花 血压低 血压掉 心跳加速 浑身发抖 发抖 肝功能 肾功能
        指标异常 指标全部异常 肝功能异常 血糖降不下来 血糖异常 便秘"""),
    "FOOD": _alt("""饭 米饭 炒饭 菜 肉 鸡 鸡肉 鱼 虾 牛排 牛肉 猪肉 面包 酸奶 牛奶 奶 奶粉 奶茶
        蛋 鸡蛋 水果 西瓜 熟食 饮料 果汁 罐头 零食 饼干 月饼 蛋糕 汤 外卖 面条 面 饺子 包子
        沙拉 寿司 烤串 火锅 米粉 辅食 食品 食物 粥 咖啡 药 药品 饮用水 矿泉水 卤味 卤菜 肉松
        凉皮 凉菜 凉面 生蚝 海鲜 小龙虾 龙虾 烤鱼 鸭血 螺蛳粉 橙汁 鲜榨 果冻 糖果 保健品 豆浆
        豆腐 奶酪 火腿 香肠 腊肉 冰淇淋 雪糕 水饺 汉堡 披萨 便当 盒饭 底料 鲜奶 羊肉 海参 燕窝
        鸡腿 鸡翅 排骨 馅 馅料 面皮 米线 粉丝 酸辣粉 麻辣烫 冒菜 炸鸡 薯条 三明治 饭团 粽子
        汤圆 馒头 花卷 烧饼 油条 肉夹馍 煎饼 牛肉干 猪肉脯 坚果 瓜子 花生 腰果 巧克力 口香糖
        药片 胶囊 冲剂 口服液 维生素 钙片 益生菌 蛋白粉 减肥药 中药 茶 茶叶 酒 啤酒 白酒 红酒
        可乐 汽水 冰块 奶油 黄油 果酱 蜂蜜 辣条 方便面 泡面 自热 鱼丸 肉丸 虾仁 鱿鱼 蟹 蛤蜊
        生鱼片 刺身 蔬菜 青菜 生菜 葡萄 苹果 香蕉 橘子 草莓"""),
    "IN_FOOD": _alt("""吃出 喝出 吃到 喝到 里有 上有 里面有 里发现 中有 里竟然有 里居然有 嚼到
        咬到 里面发现 里面吃出 里面吃到 里夹着 里混着 里漂着 上漂着 汤里 咬下去 嚼着 吃着吃着
        喝着喝着 吐出来 挑出 翻出 里还有 上面有 底下有 里头有"""),
    "OBJECT": _alt("""飞蛾 蛾子 蛾 甲虫 蜘蛛 米虫 蛀虫 跳蚤 蜗牛 蛞蝓 青虫 肉虫 虫尸 死虫 蟑螂卵
        铁丝 钢丝 钢丝球 玻璃 碎玻璃 玻璃渣 钉子 虫 虫子 小虫 蟑螂 死蟑螂 苍蝇 头发 塑料 塑料片
        创可贴 石子 石头 沙子 毛发 烟头 刀片 蛋壳 封口膜 异物 铁屑 金属 螺丝 木屑 指甲 蛆 老鼠
        头发丝 猫毛 狗毛 纸巾 抹布 手套 指甲盖 骨头渣 铁钉 玻璃碴 橡皮筋 保鲜膜 绳子 图钉 钉
        铁片 铁块 螺丝钉 订书钉 针头 线头 羽毛 鸡毛 猪毛 虫卵 幼虫 活虫 蠕虫 飞虫 果蝇 蚊子 蚂蚁
        苍蝇腿 蟑螂腿 壁虎 老鼠屎 鼠屎 塑料袋 塑料绳 胶带 胶布 创口贴 纸片 标签 皮筋 碎片 碎渣
        渣子 沙砾 砂子 石粒 指甲片 发夹 头绳 纽扣 电池 硬币 竹签 牙签 钢球 玻璃片 瓷片 瓶盖"""),
    "SPOILED": _alt("""馊 馊味 发臭 臭了 酸臭 臭味 长毛 长了毛 发霉 霉变 霉斑 霉点 变质 放坏了
        发黏 拉丝 胀气 胀袋 发酵 酒味 过期 超过有效期 发苦 变味 哈喇味 发绿 灰绿 馊了 一股酸味
        酸臭 一股怪味 冲鼻 刺鼻 臭鸡蛋味 白毛 绿毛 长虫 生虫 发霉了 黏糊 胀了 还是生的 血水
        哈喇 霉 霉菌 长霉 霉味 一层霉 霉斑点"""),
    "FIRE": _alt("""烧成 烧毁 烧没了 被引燃 引燃 烧成了空壳 烧光 起火 着火 着了 失火 冒烟
        冒黑烟 冒火花 打火花 火花 火星 火苗 烧黑 烧焦 焦糊 焦味 焦糊味 烧了 熔了 鼓包 爆炸 自燃
        点着 烧着 燃起来 冒火 砰的一声 烧起来 黑烟 明火 火光 爆燃 烧穿 烧化 着起来 冒火星 冒蓝光
        电火花 啪的一声 烧起来了 火灾 酿成火灾 浓烟 烤焦 焦黑 熔化 烧熔 烧变形 烤化 起明火
        着火了"""),
    "ELECTRIC": _alt("""带电 外壳有电 被电 电了一下 电得 电倒 触电 漏电 会打人 是麻的 麻了一下
        电击 击了一下 电流感 有电流 麻手 电麻 被电了 被电到 测电笔 电笔一碰 漏电了 电人 触了电
        被电击"""),
    "GAS": _alt("""煤气味 天然气味 燃气味 煤气泄漏 燃气泄漏 天然气泄漏 漏气 一氧化碳 嘶嘶
        漏煤气 燃气泄露 煤气泄露 气还一直在冒 一股煤气 一股燃气 闻到煤气 中了煤气 煤气中毒
        燃气中毒"""),
    "VEHICLE_PART": _alt("""刹车 制动 方向盘 转向 方向 气囊 安全气囊 轮胎 胎 车把 油门 动力
        发动机 电池 车 车子 汽车 电动车 新车 自动驾驶 平衡车 扶梯 电梯 刮水器 雨刮 雨刷 大灯
        车灯 仪表盘 仪表 助力 方向助力 转向助力 车门 门锁 儿童锁 安全带 手刹 电子手刹 挡位
        变速箱 底盘 悬挂 车窗 天窗 后视镜 倒车影像 倒车雷达 巡航 定速巡航 自适应巡航 车机 电瓶
        电瓶车 电单车 摩托 摩托车 自行车 单车 滑板车 童车 推车 婴儿车 前叉 车架 车座 车轮 链条
        龙头 辅助驾驶 驾驶辅助 智驾 车道保持 自动泊车 刹车片 刹车盘 油管 水箱 发动机舱 引擎
        电机 电池包 车身 车头 车尾 车轱辘 轮毂 前轮 后轮"""),
    "VEHICLE_FAIL": _alt("""软绵绵 没法停 没法停住 停不下 滑出去 往左偏 往右偏 往一边偏 往边上跑
        往对面 扣不上 系不上 锁不上 插不进 制动系统故障 刹车故障 转向故障 气囊故障 故障灯 失灵
        失控 踩不下去 刹不住 发软 变沉 特别沉 打不动 没弹出 没有弹出 没弹开 中断 突然熄火 熄火
        自燃 起火 松了 断了 突然加速 急刹 溜车 往前溜 锁死 倒转 爆胎 爆了 冒烟 制动失效 转向失灵
        刹不住车 自己打开 自动打开 爆裂 突然断电 失去动力 自己启动 自行启动 一下子没了 突然没了
        弹开 自己弹开 自己开了 取消不了 关不掉 退不出 停不下来 停不住 全黑 罢工 失效 卡死
        突然关闭 踩到底 还在溜 溜车了 往下溜 打滑 侧滑 甩尾 跑偏 冒烟了 起火了 着火 断裂 脱落
        飞出去 松动 一直往前冲 往前冲 往上撞 鼓包 漏油 不听使唤 突然转向 没反应 不起作用
        失去制动 制动失灵 刹车失灵 突然降速 突然减速 误识别 抱死 出溜 往下出溜 往下滑 往后溜
        往后滑 溜坡 溜下去 熄灭 全灭 很沉 变得很沉 沉得打不动 变重"""),
    "NEAR_MISS": _alt("""差点 差一点 险些 差点儿 就差 只差 差几厘米 差那么一点"""),
    "NEAR_HARM": _alt("""撞 追尾 出事 出人命 摔 掉下 砸 噎 吞下 吸进 烧 点了 着了 起火 被电
        电到 烫到 割到 划到 卡住 伤到 没命 掉出去 掉下去 砸到人 砸中 撞上 撞死 撞飞 摔下去
        酿成火灾 火灾 出车祸 车祸 丧命 出大事 丢了命 堵住气管 噎住 呛死 淹死 溺水 触电 电死
        烫死 烧死 压死 咽下去 咽下 咽了 吞进去 吞进 吃下去 吞掉 吸进去 翻下来 翻下去 跌下来
        跌下去 滚下来 滚下去 栽下来 栽下去 摔下来"""),
    "CHILD": _alt("""孩子 小孩 宝宝 婴儿 儿子 女儿 儿童 老二 老大 二宝 大宝 小宝 娃 闺女 孙子
        孙女 外孙 外孙女 幼儿 新生儿 小朋友"""),
    "CHOKE": _alt("""塞进 塞进了 塞到 塞在 塞住 夹在 夹在缝里 呛水 沉下去 沉到 溺水 噎 卡进 卡住
        卡在 吞下 吞了 误吞 塞进嘴 吸进 窒息 咬破 吞进 卡喉 误食 吞食 夹手 卡到 含在嘴里 放进嘴
        放嘴里 塞嘴里 卡喉咙 卡住喉咙 堵住气管 憋紫 呛到 呛住 误服 误喝 咽下去 咽下 咽进 吞进去"""),
    "FALL": _alt("""掉下来 掉下去 塌了 断裂 脱落 倒塌 砸下来 折了 掉了下来 掉下来了 砸下来了
        倒下来 倒了下来 塌下来 坠落 掉落 砸落 翻倒 倾倒 倒塌了"""),
    # --- money ----------------------------------------------------------------------------
    "AMOUNT": r"(?:现金|(?:\d[\d,.]*|[一二两三四五六七八九十百千万几]+)[多几]?"
              r"(?:元|块(?![皮肉布玻石地头儿状])|万|千|百)(?:多)?|"
              r"[两三四五六七八九十几\d]+笔|钱|余额|存款|积分|话费|资金|装备)",
    "LOSS": _alt("""进了别人口袋 进了别人 到了别人账户 转到了陌生 被取了 被刷了 被扣了 清零
        变成了0 变成0 转走 划走 刷走 取走 扣走 被扣 被刷 被盗 盗刷 被转 被划 刷掉 多刷 偷偷 被骗
        骗走 骗了 转出去 被转出 被取 转空 取空 刷空 清空 被人转 被转空 被转了 被取了 被刷了
        被扣了 全没了 一分不剩 骗光 骗去 打水漂 追不回 要不回 退不回"""),
    "SCAM": _alt("""失联 人就失联 失联了 联系不到 找不到人 人间蒸发 不回消息 电话关机 关机了
        打不通 核查账户 资金核查 所谓的 配合调查 假的二维码 是假的 冒充 假客服 冒牌 自称
        安全账户 共享屏幕 屏幕共享 验证码 刷单 返利 备用金 退款专员 会议软件 诈骗 骗子 钓鱼
        涉嫌洗钱 保障服务 卷款 跑路 再也联系不上 拉黑了我 把我拉黑 注销 征信 解冻 保证金 杀猪盘
        高额回报 刷流水 对方让我 不能提现 提现不了 无法提现 套路贷 校园贷 客服专员 理赔专员
        百万保障 关闭扣费 每月扣费 影响征信 国家安全账户 监管账户 安全账号 被冻结 公检法 通缉
        刷单返利 中奖 领奖 钓鱼网站 假链接 点开链接 重新认证 快递丢了 航班取消 注销账户 借贷app
        网贷app 贷款app 远程控制 假冒 以你们客服 以你们的名义 冒充你们 拉黑 屏蔽了我 删了我
        联系不上"""),
    "PAY": _alt("""转进 转入 存进 交了之后 扫了 扫码 付了停车费 转了 转账 转到 转过去 付了 垫付
        垫了 借款 填了 输了 输入 扣了 刷了 扣费 被扣 少了 没了 划走 转出 被刷 兑换 贷款 网贷
        分期 扫完 开通 盗刷 预付 付款 充值 转给 转给他 转给对方 转了过去 打过去 付了定金 交了
        交钱 付钱 付款了 支付了 输了密码 输入密码 输了验证码 填了卡号 填了信息 填了银行卡 借了钱
        借了 被扣了 扣走 转账了 汇款 汇了 打款 损失 损失了 定金 填完卡号 填完验证码 填完密码
        输完密码 输完验证码 付完 付完款 交完 交完钱 转完 充完 收了 收了我 办了 办卡 押金
        交了押金"""),
    "UNAUTH": _alt("""根本没出门 那天没出门 人在家 卡在身上 卡没丢 卡在我身上 没丢 人不在
        不在当地 没去过 从没去过 没授权 没有授权 未授权 没开过 没开通过 从没申请 没申请
        根本没有买 根本没买 根本没有消费 没消费过 没有消费 根本不知道 偷偷 莫名其妙 莫名
        自动开通 自动续费 没有任何验证 早就取消 看不懂 从没订阅 从没 没订阅 没有订阅 不认识的
        从没见过 没见过 陌生的 陌生商户 没提醒 没有提醒 都没提醒 也没提醒 未提醒 没同意 没有同意
        从没同意 不知情 毫不知情 根本没在 没买过 没开过 没有开过 没办过 又扣 又扣了 退订了
        已经退订 已经取消 自动帮我 自动扣 莫名多了 多了三笔 多了几笔 多出来"""),
    "CHARGE": _alt("""扣 扣了 扣费 扣款 刷了 消费了 续费 开通 多出 多了一笔 下单 充值 被刷
        账单上 消费 美元消费 境外消费 扣我 扣了我 收了 收了我 年费 月费 会员费 手续费 一笔 两笔
        三笔 四笔 几笔"""),
    "ACCOUNT": _alt("""账号 账户 密码 免密 手机号 绑定手机 支付宝 微信 app 花呗 信用卡 银行卡
        旧号 积分 身份 账号里 账户里 游戏账号 淘宝账号 登录密码 支付密码 绑定的 银行卡号 卡号
        淘宝号 京东号 微信号 qq号 抖音号 游戏号 支付宝号"""),
    "TAKEOVER": _alt("""被盗 被改 被登 被别人 别人登 被人登 外地被登录 异地登录 外地登录 被注册
        被冒用 被盗用 盗用 被换 登上了 被人换 被换掉 换掉了 被解绑 换成了别人 变成了别人
        陌生设备 陌生手机 被别人登录 被人改 被修改 密码被改 别人登录 盗号 被盗号"""),
    "PII": _alt("""数据 用户数据 姓名 名字 全名 身份证 身份证号 手机号 地址 住址 订单号
        个人信息 邮箱 密码 身份 身份证号码 证件号 手机号码 航班号 航班信息 订单信息 简历
        简历信息 隐私 家庭住址 工作单位 买的什么 行程 门牌号 几号楼 单元号"""),
    "LEAK": _alt("""泄露 报出 卖给 一览无余 印出来 发到群 被人用 冒用 办了 拿去 知道我的 被卖
        告诉了 透露 透露给 给了陌生人 告诉陌生人 都知道 准确报出 报出了 盗用 泄漏 泄密 流出
        外泄 被人拿 拿去注册 准确说出 说出了我 说出我 报出我 报出了我 知道我买
        知道我的"""),
    # what an injury leaves, unambiguous without a harm verb (with a body part)
    "OUTCOME": _alt("""起泡 流血 出血 骨折 骨裂 淤青 缝了 缝针 擦烂 破皮 皮没了 一块皮 一大块皮
        血肉模糊 化脓 流脓 溃烂 结痂 流黄水 转不了头 直不起腰 弯不了腰 张不开嘴 站不起来
        走不了路 下不了床""")[:-1]
        + r"|起了?[一两三四五六七八九十好几个大小多]*泡(?![面脚茶沫饭澡])"
        + r"|(?<![盐清冷热开温凉])水泡(?![了面脚茶澡着过]))",
    # the other side gone after the money: blocked, deleted, shop sealed or run off
    "VANISH": _alt("""屏蔽我 屏蔽了我 把我屏蔽 删了我 把我删 也删了 删除好友 删了好友 跑路 卷款
        卷钱 人去楼空 贴了封条 贴封条 闭店 倒闭了 关门了 店门关了 注销了""")[:-1]
        + r"|把我(?:的)?(?:微信|qq|好友|联系方式|电话)?(?:也)?(?:删|拉黑|屏蔽))",
    # --- threats --------------------------------------------------------------------------
    "REGULATOR": _alt("""12315 一二三一五 12345 12331 消协 消保委 消费者协会 市场监管
        市场监督管理 市监局 工商 工商部门 网信办 银保监 金融监管 证监会 药监局 食药监 卫健委
        卫生局 民航局 邮政管理局 邮政局 工信部 文旅局 旅游局 质监局 监管部门 相关部门 有关部门
        主管部门 监管局 物价局 交通局 住建局 消费者权益保护委员会 药品监督 食品药品监督
        交通运输局 文化和旅游局 商务局 人民银行 央行 证监局 通信管理局 市长信箱 银行业协会
        保险业协会 幺二三幺五 幺二三四五 一二三四五 市民热线 市长热线 政务热线 政务服务热线
        便民热线 12345热线 12328 12326 12358 12365 12318 12320 12366 12388 12368 金融监督管理局
        金融监督管理总局 国家金融监督管理总局 金管局 银监局 保监局 银保监局 银保监会 监督管理局
        市监 区市监局 县市监局 市场局 市场监管所 工商所 消委会 消保会 消费者委员会
        消费者权益保护协会 信访 信访局 信访办 城管 交警大队 运管 运管局 交通委 国家邮政局
        邮政管理 通管局 网信 卫健局 医保局 教育局 教委 人社局 劳动局 劳动监察 税务局 环保局
        生态环境局 应急管理局 住建委 房管局 铁路局 发改委 价格监督 质量监督 文旅 药监 市场监督
        监管机构 政府部门"""),
    "MEDIA": _alt("""电视台 报社 记者 媒体 新闻热线 民生栏目 频道 栏目 抖音 小红书 微博 朋友圈
        网上 全网 各大平台 热搜 知乎 b站 头条 快手 视频号 论坛 贴吧 新闻 公众号 央视 焦点访谈
        新京报 澎湃 今日说法 都市报 晚报 日报 民生热线 帮忙栏目 大v 博主 报纸 日报社 电台
        新闻媒体 网络媒体 自媒体 融媒体 记者站 今日头条 百家号 网上曝光 直播间 哔哩哔哩 推特"""),
    "POST": _alt("""发到 发在 发出来 发给了 发给 发上 挂到 挂出来 挂在 写 发帖 发视频 传到 放到
        曝光 爆料 发布 发表 晒出来 放上 传上 剪成视频 写一篇 写篇 拍成 录成 公开"""),
    "PUBLISH": _alt("""曝光 爆料 上新闻 公之于众 让所有人 让大家 让全网 让更多人 挂到网上
        挂出来 挂网上 上热搜 全国人民都知道 让全国 让社会 让网友 让全世界 大家都知道 公开出来"""),
    "COURT": _alt("""律师 法庭 法院 起诉 诉状 起诉书 司法程序 司法 仲裁 报警 报了警 报案 立案
        告你们 去告 法律途径 法律后果 公证 打官司 诉讼 律所 维权律师 法律援助 小额诉讼 公益诉讼
        110 检察院 讨说法 律师函 法律程序 民事诉讼 立案调查 报了案 派出所 警察 民警 公安局
        人民法院 告上法庭 法庭见 走法律 法律手段 依法起诉 三倍赔偿 十倍赔偿 退一赔三 退一赔十
        集体诉讼"""),
    "INTENT": _alt("""我 我们 要 会 就 准备 打算 已经 已 马上 立刻 今晚 明天 直接 只能 只好
        必须 一定 等着 那边见 见 将 将会 也会 还会 肯定 绝对 迟早 立马 即将 这就 要去 去找
        打算去 刚刚 刚 正在"""),
    # --- deadline -------------------------------------------------------------------------
    "TIME": r"(?:今天|今晚|明天|后天|明早|明晚|本周|这周|下周[一二三四五六日天]?|"
            r"周[一二三四五六日天末]|星期[一二三四五六日天]|本月底|月底|月初|年底|下班|中午|上午|"
            r"国庆|春节|过年|节前|元旦|中秋|双十一|开学|"
            r"下午|晚上|(?:\d{1,2}|[一二三四五六七八九十]{1,3})(?:点|号|日)|"
            r"(?:\d{1,3}|[一二两三四五六七八九十]{1,3})个?(?:工作日|天|小时|日|周|星期|礼拜))",
    "BEFORE": r"(?:之前|以前|前|之内|以内|内|为止)",
    "DEMAND": _alt("""派过来 送过来 寄过来 修好 换掉 安排 落实 办好 搞定 必须 务必 给我 请 否则
        不然 别怪 后果自负 不客气 没完 就不等了 不等了 到时候 退款 退钱 回复 答复 处理 解决
        联系 补发 换货 回电话 打电话 到账 给个说法 处理方案 结果 不给 不退 不解决 不处理 就按
        给出 赔偿 上门 派人 换新 给我换 说法 交代 退回 把钱 还钱 退给我"""),
    "LIMIT": _alt("""限你们 限期 给你们 只给你们 最多再等 最多等到 最多等 最迟 最晚"""),
    # --- repeat and group -----------------------------------------------------------------
    "TIMES": r"(?:第[二三四五六七八九十\d几]+[次回]|[二三四五六七八九十两几\d]+[次回]|"
             r"好几次|好几回|"
             r"(?:不下)?[二三四五六七八九十两几\dn]+[遍趟]|天天|每天都|三天两头|隔三差五|多次|无数次|反复|一再|屡次|再次|又一次|好多次|几回)",
    "ASKED": _alt("""投诉 反映 反馈 提交 工单 来投诉 找你们 跟你们说 申诉 投诉过 反映过 留言
        私信 发邮件 留言了 打电话投诉 反馈了 反映了 提交了 投诉了 报修了 申请了 报修 申请"""),
    "CONTACTED": _alt("""客服 打客服 找客服 联系 客服电话 打了 打电话 催 问了 问 修 修了 修过
        说了 找了 报修 催了 催过 反馈 反映 投诉 找过 联系过 打过 回电 维修 返修 讲了 讲过 说过
        解释了 解释过 送修 跑了
        热线 打你们 打热线 致电 来电"""),
    "BEFORE_TIME": _alt("""上次 之前 上周 上个月 前几天 前天 昨天 已经 早就 一周前 半个月前"""),
    "STILL": _alt("""没修好 都没修好 还没修好 又不 又出现 又开始 又坏了 又来了 每次都 次次都
        每回都 到现在 至今 还没 没有下文 没下文 没人 没动静 一点动静 没解决 没处理 还是 又坏
        不见 一直 没回 没人回 没人管 让我等 老毛病 没有结果 不了了之 没有回复 没人处理 石沉大海
        杳无音讯 没有任何回音 没回音 没有回音 没反应 没有反应 又是 又没 还是没 照样 依旧 仍然
        仍旧 还没有 到今天还是 处理中 也没用 毫无进展 没进展 又漏 又卡 又断 又停 又响 又掉 又冒
        又犯 又跳 又黑屏
        又死机 又罢工 又失灵 又不行 还是坏 还是漏 没一个人 没有一个人"""),
    # things broken for many people at once (with CROWD only: "四个都发霉" is four apples)
    "BROKEN": _alt("""掉漆 漏水 不准 走字不准 裂了 断了 重启 死机 黑屏 停电 断水 发霉 坏掉 损坏
        失灵 没法用 用不了 不出水 打不开 开不了 断网 断到现在 没网 异响 关门 没退
        一分没退 退不了 开裂 裂缝 渗水 跳闸 停水 停气 没暖气 黄水 浑水 浑浊 翻倍 翻了一倍"""),
    "CROWD": rf"(?:{_COUNT}|好多|很多|不少|许多|大批|一群|整栋楼|整个小区|全小区|一个班|全班|全村)"
             rf"个?(?:位|户|名)?{_PEOPLE}",
    # a crowd told by a number only ("上千户", "四五十个车主"): with a failure, a group on its own
    "COUNTED": rf"{_COUNT}个?(?:位|户|名)?(?!条|家(?!庭|长))(?:{_PEOPLE})",
    "TOGETHER": _alt("""都 全 全都 全部 一起 同样 一样 集体 联名 均 纷纷 普遍 都在 都是 都被
        都有 都出现 一样的 同样的 一模一样 统统 无一例外 家家 人人"""),
    "PROBLEM": _alt("""退不回 退不回来 冻裂 翻了一倍 涨了 乱扣 鼓包 漏水 裂了 坏了 停了 断了
        不能用 没法用 骗了 上当 维权 问题 故障 遇到 出现 反映 投诉 维权 被 没退 没有退 拉肚子
        腹泻 上吐下泻 坏 扣 霸王 骗 中毒 住院 受伤 退不了 起火 多扣 多收 乱收费 乱收 被坑 吐
        发烧 过敏 起疹 出问题 有问题 一样的问题 同样的问题 退不了费 没收到 被骗了 跑路"""),
    # --- round 3: signs, outcomes and movements, not incidents told in full -----------------
    # a hazard seen before anyone is hurt: smoke, smell of gas or burning, swelling, heat,
    # leaking, cracking, shocks felt, parts coming loose
    "HAZARD_SIGN": _alt("""鼓起来 鼓起来了 鼓起 鼓包 胀起来 胀鼓鼓 膨胀 变形了 漏液 漏水漏电
        漏电 冒烟 冒火花 打火 火花 焦味 焦糊味 烧焦味 糊味 烧焦的味道 塑料烧焦 臭鸡蛋味 煤气味
        一股煤气 滋滋响 噼啪响 啪啪响 烫得吓人 烫得拿不住 拿不住 烫得不行 烫得厉害 麻手 是麻的
        爆开 爆裂 崩开 漏气 嘶嘶 渗油 漏油 变胖 变得很胖 胖了一圈 鼓鼓的 撑开了 撑裂 胀开 噼里啪啦
        熏黑 黑了一块
        烧黑"""),
    # loosening and cracking: a hazard in structures, furniture and vehicles, not in a phone
    "LOOSE": _alt("""松了 松动 松脱 脱落 裂了 裂开 有裂缝 是裂的 裂纹 裂缝 咔咔响 咯吱响 晃动
        晃得厉害 摇摇欲坠 塌下去 塌陷 断了 断裂 断开"""),
    "PRODUCT": _alt("""手机 充电器 充电宝 充电线 数据线 电池 电芯 锂电池 插座 插线板 排插 插头
        电线 线路 电源 适配器 热水器 燃气热水器 燃气灶 煤气灶 灶 灶台 煤气罐 燃气管 燃气表
        气管 阀门 空调 冰箱 洗衣机 烘干机 电暖器 取暖器 暖风机 小太阳 电热毯 电热水壶 水壶
        电饭锅 电饭煲 高压锅 压力锅 微波炉 烤箱 空气炸锅 电磁炉 吹风机 电吹风 卷发棒 台灯 灯
        吊灯 吸顶灯 路由器 笔记本 平板 电脑 手表 儿童手表 耳机 音箱 玩具 婴儿床 儿童床 床板
        床架 婴儿车 推车 餐椅 儿童座椅 安全座椅 学步车 摇椅 螺丝 合页 支架 挂架 架子 玻璃
        玻璃门 钢化玻璃 淋浴房 栈道 护栏 栏杆 扶手 楼梯 台阶 阳台 吊顶 天花板 电梯 扶梯 滑梯
        秋千 蹦床 跑步机 健身器材 机器 设备 外壳 机身 背面 后盖 屏幕 板子 踏板 充电盒 充电仓
        充电座 充电头 移动电源
        电动牙刷 电子烟 暖手宝 加湿器 电热水器"""),
    "STRUCTURE": _alt("""婴儿床 儿童床 床板 床架 婴儿车 推车 餐椅 儿童座椅 安全座椅 学步车 摇椅
        螺丝 合页 支架 挂架 架子 玻璃 玻璃门 钢化玻璃 淋浴房 栈道 护栏 栏杆 扶手 楼梯 台阶 阳台
        吊顶 天花板 电梯 扶梯 滑梯 秋千 蹦床 跑步机 健身器材 板子 踏板 梯子 折叠梯 椅子 座椅 床
        上下铺 高低床 货架 吊柜 燃气管 阀门 插座 插头 电线"""),
    # a crowd with one complaint: many people and "all" or "say/report" (the complaint itself
    # is the model's decision, scorer.py)
    "CROWD_SAY": _alt("""都说 都在说 都反映 都反馈 都投诉 都遇到 都出现 都是这样 都一样 都被
        都有 全部 全都 反映 投诉 都在 都买了 纷纷 一起 集体"""),
}

# (rule, pattern): {NAME} is a class; every (...) group is an anchor named in the reason.
FRAMES: tuple[tuple[str, str], ...] = (
    # safety: a person or body part near a harm word (either order), in one clause
    ("safety", "({BODY})" + C + "{0,7}?({HARM})"),
    ("safety", "({HARM})" + C + "{0,6}?({BODY})"),
    ("safety", "({PERSON})被" + C + "{0,3}?({HARM})"),
    ("safety", "({PERSON})" + C + "{0,2}?(摔倒|摔伤|摔下来|摔在|烫伤|骨折|住院|噎住|窒息|送医|"
               "飞出去|飞了出去|摔出去|甩出去|摔下去|栽下去|呛了?[好几一两三]*口?水|呛水|溺水|落水)"),
    # safety: taken, eaten or used, then a symptom, in one sentence
    ("safety", "({CONSUME})" + S + "{0,24}?({SYMPTOM})"),
    # safety: a foreign object in food, spoiled food
    ("safety", "({IN_FOOD})" + C + "{0,8}?({OBJECT})"),
    ("safety", "({FOOD})" + S + "{0,12}?({SPOILED})"),
    ("safety", "(馊味|发霉|霉变|长毛了|发臭了)"),
    ("safety", "({FOOD})" + S + "{0,12}?(长了" + C + "{0,5}?毛)"),
    ("safety", "(开水|热水|热油|滚汤|热汤|沸水|滚油|热汤)" + C
               + "{0,6}?(溅|浇|洒|泼|喷|翻在|翻到|翻了|扣在|淋在|淋到)"),
    ("safety", "(烫得|烫|烧得|灼得)" + C + "{0,4}?(起泡|水泡|通红|红肿|脱皮|掉皮|起了泡)"),
    ("safety", "(甲醛)" + C + "{0,10}?(超标|国标|倍|刺鼻|熏)"),
    ("safety", "(冒出?一?股?[黑白浓青]?烟)"),
    # safety: fire, smoke, electricity, gas (the words are the incident); things bursting
    ("safety", "({FIRE})"),
    ("safety", "({ELECTRIC})"),
    ("safety", "({GAS})"),
    ("safety", "(突然|直接|当场|一声|{VEHICLE_PART}|手机|电池|充电宝|充电器|充电头|适配器|插头|"
               "电源|热水壶|水壶|高压锅|锅|杯|瓶|屏幕|灯|插座|玻璃)"
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
    ("safety", "(药)" + S + "{0,20}?(装错|发错|不是一种|不是同一种|货不对板|剂量错|剂量不对|"
               "拿错|配错|开错|给错|抓错|用错)"),
    # money: an amount near a loss, a scam marker near a payment, an unauthorised charge,
    # an account taken over, personal data leaked
    ("money", "({AMOUNT})" + C + "{0,10}?({LOSS})"),
    ("money", "(卡里|卡上|账户里|账户|余额(?!宝)|钱包里|钱包|支付宝里|微信里|存款|零钱)" + C
              + "{0,8}?(少了|没了|不见了|清零|变成了?0)"),
    ("money", "(银行卡|信用卡)" + C + "{0,3}?(少了|被扣了|被划走)"),
    # an account left with small change ("零钱里的四百多块一觉醒来变成了几毛钱")
    ("money", "(卡里|卡上|账户|余额(?!宝)|钱包|支付宝|微信|存款|银行卡|零钱)" + C
              + "{0,14}?((?:变成了?|只剩下?|就剩下?|剩了)(?:几毛|几分|一分|零头|0|零|几块))"),
    # an investment platform gone with the money
    ("money", "(投资|理财|借贷|网贷|资金盘)" + S + "{0,20}?(?:平台|app|网站|软件)" + C
              + "{0,6}?(打不开|登不上|跑路|关了|暴雷|爆雷|提不了现|不能提现|无法提现)"),
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
    ("deadline", "({TIME}){BEFORE}(?!会|能|可以|就能|应该)" + S + "{0,14}?({DEMAND})"),
    # repeat: asked many times, or asked before and still nothing
    ("repeat", "({TIMES})" + C + "{0,8}?({ASKED})"),
    ("repeat", "(第[二三四五六七八九十\\d]+次)" + C + "{0,6}?({CONTACTED}|{ASKED})"),
    ("repeat", "({ASKED})" + C + "{0,4}?({TIMES})"),
    ("repeat", "({BEFORE_TIME})" + S + "{0,10}?({ASKED}|{CONTACTED})" + S + "{0,24}?({STILL})"),
    ("repeat", "({CONTACTED})" + C + "{0,6}?({TIMES})" + S + "{0,20}?({STILL})"),
    ("repeat", "({TIMES})" + C + "{0,6}?({CONTACTED})" + S + "{0,20}?({STILL})"),
    # group: many people, all the same, with a problem
    ("group", "({CROWD})" + S + "{0,12}?({TOGETHER})" + S
              + "{0,16}?({PROBLEM}|{BROKEN}|{SYMPTOM})"),
    ("group", "((?:几十|上百|几百|一百多|两百多|[二三四五六七八九十百]+多?)个)(都|全)" + S
              + "{0,16}?({PROBLEM}|上吐下泻|呕吐)"),
    ("group", "(集体维权|联名投诉|维权群|集体投诉|群体投诉|一起维权)"),
    # --- round 2: frames over categories of incident, not words ---------------------------
    # a fall told as an event, then a body part, a harm or a bed
    ("safety", "(摔了个|摔了一跤|滑了一跤|跌了一跤|绊了一跤|滑倒|跌倒|摔下来|摔下去|滚下来|"
               "栽倒)" + S + "{0,20}?({HARM}|{BODY}|卧床|住院|医院|起不来)"),
    # something overhead or standing falls down
    ("safety", "(吊扇|吊灯|灯罩|吊顶|天花板|空调外机|外机|招牌|广告牌|镜子|架子|货架|柜子|置物架|"
               "花架|晾衣架|书架|瓷砖|墙皮|窗户|窗框|扇叶|横杆|护栏|栏杆)" + C
               + "{0,6}?(掉下来|砸下来|塌下来|倒下来|坠落|掉了下来|砸了下来|脱落|塌了|倒了)"),
    # a vehicle or machine hits a person
    ("safety", "(撞到|撞倒|撞伤|碾到|碾过|压到|刮到|蹭到|撞飞)" + C
               + "{0,8}?({PERSON}|行人|路人)(?![的家])"),
    # spoiled food told by its taste or smell
    ("safety", "(喝起来|吃起来|尝起来|闻起来|入口)" + C
               + "{0,6}?(发苦|是苦的|酸臭|臭味|馊|怪味|酒味|哈喇味|霉味|腐烂味|坏了)"),
    ("safety", "(直接|突然|猛地|一下子?)" + C
               + "{0,2}?(往上撞|撞上去|冲出去|冲下去|冲了出去|撞了上去)"),
    # a battery swells, heats or leaks
    ("safety", "(电池|充电宝|电瓶|锂电池|电池包)" + C
               + "{0,6}?(胀得|胀起|鼓起|发烫|烫手|变形|漏液|膨胀)"),
    # a restraint comes open
    ("safety", "(压杠|安全带|安全扣|卡扣|锁扣|扣具|安全绳|护栏|防护网)" + S
               + "{0,10}?(松开|松了|脱开|断了|弹开|崩开|打开了|脱落)"),
    # a bone broken, told as what broke
    ("safety", "((?:骨|骨头|腿|胳膊|手臂|手指|脚趾|牙)(?:断了|折了|裂了))"),
    # care delayed
    ("safety", "(耽误了?" + C + "{0,6}?治疗|耽误病情|延误治疗|误诊|漏诊)"),
    # money: an account emptied or short, paid and nothing arrived, charged twice
    ("money", "(银行卡|卡里|卡上|零钱|支付宝|微信|余额|账户)" + C
              + "{0,8}?(被人?转空了?|被取空|被刷空|被清空|被转走|被划走|莫名其妙少了|莫名少了)"),
    ("money", "(钱扣了|扣了钱|付了钱|钱付了|充了\\d+|扣款成功|付款成功|钱已经扣了)" + S
              + "{0,10}?(一分没到|没到账|没有到账|没充上|没充进去)"),
    ("money", "((?:一单|同一单|同一个?订单|一个订单|一笔|同一笔)" + C
              + "{0,6}?(?:付|扣|收|刷)了?我?(?:两|2|三|3)(?:次|遍|回))"),
    ("money", "((?:付|扣|收|刷)了?(?:两|2|三|3)(?:次|遍)(?:钱|款|费))"),
    ("money", "(又" + C + "{0,2}?扣了一[遍次])"),
    ("money", "((?:刷了|扣了|消费了)[两三四五六七八九十几多\\d]+笔)"),
    # threats: the complaint to a regulator told as done, or handed over
    ("regulator", "({REGULATOR})(?:的)?(?:电话|投诉|举报|热线|申诉|材料)?" + C
                  + "{0,6}?(已经打了|打了|写好了|提交了|递交了|投了|登记了)"),
    ("regulator", "(反映给|举报给|投诉给|递交给|提交给|打给|告到|拨打了?|拨了|致电|打了|打过|"
                  "联系了|联系过|找了|找过)" + C + "{0,3}?({REGULATOR})"),
    ("media", "(联系了?|找了?|约了?|叫了?|给)" + C + "{0,4}?(记者|媒体|电视台|报社|栏目组|"
              "都市报|晚报|日报|新闻热线|报料热线|民生栏目|电台)"),
    ("deadline", "((?:只|最多|最晚)等到)({TIME})"),
    ("repeat", "(又)" + S + "{0,12}?(第几[回次]|多少次|多少回)"),
    ("repeat", "(反映了|投诉了|反馈了|找了)" + C + "{0,2}?({TIMES})"),
    # --- round 3 ----------------------------------------------------------------------------
    # a product, vehicle or structure showing a hazard sign, before anyone is hurt
    ("safety", "({PRODUCT}|{VEHICLE_PART})" + C + "{0,10}?({HAZARD_SIGN})"),
    ("safety", "({STRUCTURE}|{VEHICLE_PART})" + C + "{0,10}?({LOOSE})"),
    # gas appliances and a smell
    ("safety", "(燃气|煤气|天然气|热水器|燃气灶|煤气灶|灶台|管道)" + S
               + "{0,14}?(臭鸡蛋味|臭味|异味|怪味|刺鼻的味|一股味)"),
    # an injury told by its outcome, near a body part or a person
    ("safety", "((?:缝了|缝)[一二两三四五六七八九十几\\d]+针)"),
    ("safety", "({CHILD})" + S + "{0,16}?({CHOKE})" + C + "{0,4}?({BODY})"),
    # money: moved and then gone (the other side vanished), or taken several times
    ("money", "({PAY}|{CHARGE})" + S + "{0,20}?(失联|联系不上|联系不到|找不到人|人间蒸发|"
              "拉黑|不回消息|关机了|打不通|{VANISH})"),
    ("money", "((?:被取|被刷|被扣|被转|被消费)了?(?:[两三四五六七八九十几\\d]+|好几)次)"),
    ("money", "(被取了|被刷了|被扣了|被转了|取了|刷了)" + C
              + "{0,6}?(现金|[两三四五六七八九十几\\d]+次)"),
    # repeat: fixed many times and still broken; many calls
    ("repeat", "((?:修|返修|维修)了?(?:[两三四五六七八九十几\\d]+|好几)[次回])" + S
               + "{0,12}?({STILL})"),
    ("repeat", "((?:打了|打过)[一二两三四五六七八九十几\\d]{1,3}个?(?:电话|通电话))"),
    # threat: the regulator's line found or looked up
    ("regulator", "({REGULATOR})(?:的)?(?:电话|投诉电话|热线|邮箱|地址)" + C
                  + "{0,6}?(找到了|查到了|查好了|存好了)"),
    # --- round 4: kinds of failure seen on part 5, as categories ---------------------------
    # an injury told by its outcome on a body part, across a comma ("手背上, 现在一片水泡")
    ("safety", "({BODY})" + S + "{0,12}?({OUTCOME})"),
    # a person knocked down by something, told with 把 ("把我刮倒")
    ("safety", "(把|将)({PERSON}|行人|路人)" + C + "{0,3}?(撞倒|刮倒|撞飞|撞伤|撞到|撞翻|蹭倒|"
               "带倒|碾|轧|压在)"),
    # a thing burnt through: a hole or a scorch mark left behind
    ("safety", "(烧出|烫出|熔出|烧了|烧穿了)" + C + "{0,4}?(洞|窟窿|黑印|焦印|焦痕|黑斑)"),
    # a wheel coming off, a seat giving way while driving
    ("safety", "(轮子|轮胎|车轮|轱辘|轮毂)" + C + "{0,6}?(飞出去|飞了出去|甩出去|甩飞|掉了下来)"),
    ("safety", "(座椅|靠背|椅背|座位)" + C + "{0,8}?(往后倒|往前倒|突然倒|倒下去|塌了|断了|松动|"
               "松了|掉了)"),
    # a structure that comes apart at a touch ("护栏一推就掉")
    ("safety", "({STRUCTURE}|{VEHICLE_PART})" + C + "{0,6}?(一[推碰拉拽按坐踩靠扶摸]就"
               "(?:掉|断|倒|塌|散|裂|开|松))"),
    ("safety", "(药)" + C + "{0,10}?(?:和|跟|与)处方" + C + "{0,4}?(不一样|不符|对不上)"),
    # safety gear that does not hold
    ("safety", "(救生衣|安全带|安全绳|安全锁|安全扣|压杠|扣带)" + C + "{0,4}?(是坏的|坏了|坏的|"
               "扣不上|系不上|断了|失灵)"),
    # a wrong medicine handed over
    ("safety", "(拿错|配错|开错|给错|发错|抓错)了?" + C + "{0,4}?(药)"),
    # media: the outlet contacted, told as done; knowing someone there
    ("media", "(电视台|报社|栏目组?|帮帮团|帮忙团|记者|新闻热线|报料热线|晚报|日报|都市报|电台|"
              "民生频道|新闻频道)(?:的)?" + C + "{0,10}?(已经打过|打过电话|打了电话|联系了|联系过|"
              "报料了|爆料了|已经联系|已经打了|记下了|打过去|存下了)"),
    ("media", "(认识|有个?朋友在|有个?亲戚在|有个?同学在)" + C + "{0,3}?(电视台|报社|晚报|日报|"
              "都市报|媒体|栏目组|电台)(?:的)?(编辑|记者|主编|主持人|朋友|人|工作)"),
    # repeat: open for a span of time, chased, and still nothing ("半个月了, 天天打电话催, 到现在…")
    ("repeat", "((?:半个|一个多|两个多|[一二两三四五六七八九十几\\d]+个?多?)"
               "(?:月|星期|礼拜|周|天)了)" + S + "{0,16}?({ASKED}|打电话|打了电话|找客服|找了客服|"
               "问客服|问了客服|联系客服|联系了|催了?)" + S
               + "{0,20}?({STILL})"),
    # group: a counted crowd whose things failed ("上千户的宽带…断到现在")
    ("group", "({COUNTED})" + S + "{0,24}?({BROKEN})"),
    # deadline: a time limit and what follows when it passes ("周一前没有答复, 后果自己承担")
    ("deadline", "({TIME}){BEFORE}" + S + "{0,20}?(自己承担|后果自负|承担后果|别怪我|别怪我们|"
                 "不客气|看着办|法庭见|走法律|我?就" + C + "{0,6}?(?:起诉|报警|投诉|曝光|告|找))"),
)


def _expand(pattern: str) -> str:
    return re.sub(r"\{([A-Z_]+)\}", lambda m: CLASSES[m.group(1)], pattern)


@lru_cache(maxsize=1)
def compiled() -> dict[str, tuple[re.Pattern[str], ...]]:
    """The frames by rule, compiled."""
    return {rule: tuple(frame for _, frame in pairs) for rule, pairs in gated().items()}


def _group_end(pattern: str, start: int) -> int:
    """The index just past the group opened at ``pattern[start]`` (escapes skipped)."""
    depth = 0
    for i in range(start, len(pattern)):
        if pattern[i] in "()" and pattern[i - 1] == "\\":
            continue
        depth += {"(": 1, ")": -1}.get(pattern[i], 0)
        if depth == 0:
            return i + 1
    return -1


def _last_group(pattern: str) -> str | None:
    """The text of the group that ends the pattern (``None``: it ends otherwise)."""
    if not pattern.endswith(")"):
        return None
    starts = [i for i, c in enumerate(pattern) if c == "(" and pattern[i - 1 : i] != "\\"]
    for i in reversed(starts):
        if _group_end(pattern, i) == len(pattern):
            inner = pattern[i + 1 : -1]
            return None if inner.startswith(("?=", "?!", "?<")) else inner
    return None


def _gate(pattern: str) -> re.Pattern[str] | None:
    """The frame's last group alone, when it is smaller than its first: a necessary condition
    that is cheaper to scan for than the whole frame (every frame scans the whole text)."""
    if not pattern.startswith("("):
        return None
    first_end = _group_end(pattern, 0)
    last = _last_group(pattern)
    if last is None or first_end == len(pattern):
        return None
    first = _expand(pattern[1 : first_end - 1])
    gate = _expand(last.removeprefix("?:"))
    return re.compile(gate) if len(gate) < len(first) else None


@lru_cache(maxsize=1)
def gated() -> dict[str, tuple[tuple[re.Pattern[str] | None, re.Pattern[str]], ...]]:
    """The frames by rule, compiled, each with its gate (``None``: none): a text the gate
    does not find cannot match the frame."""
    out: dict[str, list[tuple[re.Pattern[str] | None, re.Pattern[str]]]] = {}
    for rule, pattern in FRAMES:
        out.setdefault(rule, []).append((_gate(pattern), re.compile(_expand(pattern))))
    return {rule: tuple(pairs) for rule, pairs in out.items()}


# Group: many people and "all"/"report", counted only when the model calls the text a
# complaint (scorer.py): the problem itself need not be a word on a list.
CROWD_COMPLAINT = "({CROWD})" + S + "{0,12}?({CROWD_SAY})"


@lru_cache(maxsize=1)
def crowd_complaint() -> re.Pattern[str]:
    """Many people with one complaint, for ``group`` on a text the model calls a complaint."""
    return re.compile(_expand(CROWD_COMPLAINT))
