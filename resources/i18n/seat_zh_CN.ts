<?xml version='1.0' encoding='utf-8'?>
<TS version="2.1" language="zh_CN">
<context>
    <name>ChatPane</name>
    <message>
        <location filename="../../ui/chat_pane.py" line="28" />
        <source>Type a message, Enter to send</source>
        <translation>输入消息，按回车发送</translation>
    </message>
    <message>
        <location filename="../../ui/chat_pane.py" line="30" />
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <location filename="../../ui/chat_pane.py" line="62" />
        <source>Me</source>
        <translation>我</translation>
    </message>
    <message>
        <location filename="../../ui/chat_pane.py" line="62" />
        <source>Citizen</source>
        <translation>群众</translation>
    </message>
</context><context>
    <name>LoginDialog</name>
    <message>
        <location filename="../../ui/login_dialog.py" line="23" />
        <source>Log in to the video service</source>
        <translation>登录视频办坐席</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="32" />
        <source>The token is kept in the system keyring, never in a file.</source>
        <translation>令牌保存在系统密钥环中，不会写入文件。</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="35" />
        <source>Agent ID</source>
        <translation>工号</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="36" />
        <source>Token</source>
        <translation>令牌</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="54" />
        <source>Enter your agent ID.</source>
        <translation>请输入工号。</translation>
    </message>
    <message>
        <location filename="../../ui/login_dialog.py" line="59" />
        <source>The token is empty or has characters a token cannot have.</source>
        <translation>令牌为空或包含无效字符。</translation>
    </message>
    <message>
        <location filename="../../ui/app.py" line="109" />
        <source>The token could not be saved and is used for this session only: %1</source>
        <translation>令牌无法保存，仅在本次登录中使用：%1</translation>
    </message>
</context><context>
    <name>MainWindow</name>
    <message>
        <location filename="../../ui/main_window.py" line="61" />
        <source>Queue</source>
        <translation>排队</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="63" />
        <source>Citizen and work order</source>
        <translation>群众与工单</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="66" />
        <source>Chat</source>
        <translation>文字交流</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="141" />
        <source>Connecting video…</source>
        <translation>正在接通视频…</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="145" />
        <source>No call. Waiting citizens appear in the queue.</source>
        <translation>当前无通话。排队的群众会显示在左侧队列中。</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="156" />
        <source>Work order %1 closed</source>
        <translation>工单 %1 已办结</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="159" />
        <source>Hub: %1</source>
        <translation>服务端：%1</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="182" />
        <source>Not connected to the hub; try again shortly</source>
        <translation>未连接到服务端，请稍后再试</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="185" />
        <source>%1 failed: %2</source>
        <translation>%1 失败：%2</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="199" />
        <source>Video service seat</source>
        <translation>视频办坐席</translation>
    </message>
    <message>
        <location filename="../../ui/main_window.py" line="201" />
        <source>ID</source>
        <translation>工号</translation>
    </message>
</context><context>
    <name>OfferBanner</name>
    <message>
        <location filename="../../ui/offer_banner.py" line="34" />
        <source>Accept (F2)</source>
        <translation>接听 (F2)</translation>
    </message>
    <message>
        <location filename="../../ui/offer_banner.py" line="37" />
        <source>Decline (F3)</source>
        <translation>拒接 (F3)</translation>
    </message>
    <message>
        <location filename="../../ui/offer_banner.py" line="66" />
        <source>Citizen</source>
        <translation>群众</translation>
    </message>
    <message>
        <location filename="../../ui/offer_banner.py" line="67" />
        <source>video</source>
        <translation>视频</translation>
    </message>
    <message>
        <location filename="../../ui/offer_banner.py" line="67" />
        <source>audio only</source>
        <translation>仅语音</translation>
    </message>
    <message>
        <location filename="../../ui/offer_banner.py" line="77" />
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
</context><context>
    <name>QueuePane</name>
    <message>
        <location filename="../../ui/queue_pane.py" line="144" />
        <source>No one is waiting</source>
        <translation>暂无排队</translation>
    </message>
    <message numerus="yes">
        <location filename="../../ui/queue_pane.py" line="147" />
        <source>%n waiting, longest %1</source>
        <translation>
            <numerusform>排队 %n 人，最长等待 %1</numerusform></translation>
    </message>
</context><context>
    <name>QueueTableModel</name>
    <message>
        <location filename="../../ui/queue_pane.py" line="69" />
        <source>Item</source>
        <translation>事项</translation>
    </message>
    <message>
        <location filename="../../ui/queue_pane.py" line="70" />
        <source>Channel</source>
        <translation>渠道</translation>
    </message>
    <message>
        <location filename="../../ui/queue_pane.py" line="71" />
        <source>Priority</source>
        <translation>优先</translation>
    </message>
    <message>
        <location filename="../../ui/queue_pane.py" line="72" />
        <source>Citizen</source>
        <translation>群众</translation>
    </message>
    <message>
        <location filename="../../ui/queue_pane.py" line="73" />
        <source>Waiting</source>
        <translation>等待</translation>
    </message>
</context><context>
    <name>StatusStrip</name>
    <message>
        <location filename="../../ui/status_strip.py" line="40" />
        <source>Change state…</source>
        <translation>切换状态…</translation>
    </message>
    <message>
        <location filename="../../ui/status_strip.py" line="41" />
        <source>Ready (F9)</source>
        <translation>就绪 (F9)</translation>
    </message>
    <message>
        <location filename="../../ui/status_strip.py" line="44" />
        <source>Away: %1</source>
        <translation>离开：%1</translation>
    </message>
    <message>
        <location filename="../../ui/status_strip.py" line="53" />
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../ui/status_strip.py" line="57" />
        <source>Mode</source>
        <translation>模式</translation>
    </message>
    <message>
        <location filename="../../ui/status_strip.py" line="97" />
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <location filename="../../ui/status_strip.py" line="98" />
        <source>Connected</source>
        <translation>已连接</translation>
    </message>
    <message>
        <location filename="../../ui/status_strip.py" line="99" />
        <source>Disconnected, retrying</source>
        <translation>连接中断，正在重连</translation>
    </message>
    <message>
        <location filename="../../ui/status_strip.py" line="100" />
        <source>Login refused</source>
        <translation>登录被拒绝</translation>
    </message>
    <message>
        <location filename="../../ui/status_strip.py" line="101" />
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
</context><context>
    <name>VideoPane</name>
    <message>
        <location filename="../../ui/video_pane.py" line="138" />
        <source>No call. Waiting citizens appear in the queue.</source>
        <translation>当前无通话。排队的群众会显示在左侧队列中。</translation>
    </message>
    <message>
        <location filename="../../ui/video_pane.py" line="139" />
        <source>Mute (F6)</source>
        <translation>静音 (F6)</translation>
    </message>
    <message>
        <location filename="../../ui/video_pane.py" line="142" />
        <source>Camera off (F7)</source>
        <translation>关闭摄像头 (F7)</translation>
    </message>
    <message>
        <location filename="../../ui/video_pane.py" line="145" />
        <source>Hang up (F4)</source>
        <translation>挂断 (F4)</translation>
    </message>
</context><context>
    <name>WorkOrderPane</name>
    <message>
        <location filename="../../ui/work_order_pane.py" line="39" />
        <source>Citizen</source>
        <translation>群众</translation>
    </message>
    <message>
        <location filename="../../ui/work_order_pane.py" line="48" />
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../ui/work_order_pane.py" line="49" />
        <source>ID number</source>
        <translation>证件号码</translation>
    </message>
    <message>
        <location filename="../../ui/work_order_pane.py" line="50" />
        <source>Phone</source>
        <translation>手机</translation>
    </message>
    <message>
        <location filename="../../ui/work_order_pane.py" line="51" />
        <source>Item</source>
        <translation>事项</translation>
    </message>
    <message>
        <location filename="../../ui/work_order_pane.py" line="52" />
        <source>Channel</source>
        <translation>渠道</translation>
    </message>
    <message>
        <location filename="../../ui/work_order_pane.py" line="53" />
        <source>Work order</source>
        <translation>工单号</translation>
    </message>
    <message>
        <location filename="../../ui/work_order_pane.py" line="55" />
        <source>Wrap-up</source>
        <translation>话后整理</translation>
    </message>
    <message>
        <location filename="../../ui/work_order_pane.py" line="60" />
        <source>Notes for the work order (optional)</source>
        <translation>工单备注（选填）</translation>
    </message>
    <message>
        <location filename="../../ui/work_order_pane.py" line="62" />
        <source>Submit and go ready (Ctrl+Enter)</source>
        <translation>提交并就绪 (Ctrl+Enter)</translation>
    </message>
    <message>
        <location filename="../../ui/work_order_pane.py" line="74" />
        <source>Closed today</source>
        <translation>今日已办结</translation>
    </message>
    <message>
        <location filename="../../ui/work_order_pane.py" line="111" />
        <source>Work order %1 still needs its wrap-up (the connection was lost)</source>
        <translation>工单 %1 尚未完成话后整理（连接曾中断）</translation>
    </message>
    <message>
        <location filename="../../ui/work_order_pane.py" line="116" />
        <source>%1 ended after %2:%3</source>
        <translation>%1，通话时长 %2:%3</translation>
    </message>
</context><context>
    <name>labels</name>
    <message>
        <location filename="../../ui/labels.py" line="18" />
        <source>Web portal</source>
        <translation>广东政务服务网</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="19" />
        <source>i莞家 mini-program</source>
        <translation>i莞家小程序</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="20" />
        <source>Official account</source>
        <translation>公众号</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="21" />
        <source>Kiosk</source>
        <translation>自助终端</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="22" />
        <source>Hotline</source>
        <translation>热线</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="29" />
        <source>Elderly</source>
        <translation>老年人</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="30" />
        <source>Disabled</source>
        <translation>残障人士</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="36" />
        <source>Offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="37" />
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="38" />
        <source>Ringing</source>
        <translation>振铃</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="39" />
        <source>On call</source>
        <translation>通话中</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="40" />
        <source>Wrap-up</source>
        <translation>话后整理</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="41" />
        <source>Away</source>
        <translation>离开</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="60" />
        <location filename="../../ui/labels.py" line="42" />
        <source>Counter</source>
        <translation>窗口</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="49" />
        <source>Break</source>
        <translation>小休</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="50" />
        <source>Meeting</source>
        <translation>会议</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="51" />
        <source>Training</source>
        <translation>培训</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="52" />
        <source>Missed calls</source>
        <translation>未接来电</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="53" />
        <source>Other</source>
        <translation>其他</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="59" />
        <source>Video</source>
        <translation>视频</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="61" />
        <source>Combined</source>
        <translation>视频+窗口</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="67" />
        <source>Question answered</source>
        <translation>咨询已解答</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="68" />
        <source>Guided through the form</source>
        <translation>指导办理</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="69" />
        <source>Materials pre-reviewed</source>
        <translation>材料预审</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="70" />
        <source>Application accepted</source>
        <translation>业务受理</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="71" />
        <source>Counter appointment booked</source>
        <translation>已代预约</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="72" />
        <source>Transferred</source>
        <translation>转办</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="73" />
        <source>Unresolved</source>
        <translation>未解决</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="74" />
        <source>Call dropped</source>
        <translation>通话中断</translation>
    </message>
    <message>
        <location filename="../../ui/labels.py" line="75" />
        <source>Abandoned</source>
        <translation>放弃排队</translation>
    </message>
</context></TS>