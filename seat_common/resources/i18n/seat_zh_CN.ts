<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
    <context>
    <name>AssistView</name>
    <message>
        <location filename="../../../ui/assist/view.py" line="252" />
        <source>Request remote assistance</source>
        <translation>请求远程协助</translation>
    </message>
    <message>
        <location filename="../../../ui/assist/view.py" line="253" />
        <source>End assistance</source>
        <translation>结束协助</translation>
    </message>
    <message>
        <location filename="../../../ui/assist/view.py" line="254" />
        <source>Push to kiosk printer</source>
        <translation>推送打印</translation>
    </message>
    <message>
        <location filename="../../../ui/assist/view.py" line="304" />
        <source>No kiosk screen in this call</source>
        <translation>本次通话没有自助终端画面</translation>
    </message>
    <message>
        <location filename="../../../ui/assist/view.py" line="305" />
        <source>Kiosk screen shared; not in control</source>
        <translation>自助终端画面已共享，尚未操控</translation>
    </message>
    <message>
        <location filename="../../../ui/assist/view.py" line="306" />
        <source>Waiting for the citizen's consent…</source>
        <translation>等待群众同意…</translation>
    </message>
    <message>
        <location filename="../../../ui/assist/view.py" line="307" />
        <source>In control of the kiosk</source>
        <translation>正在远程操控自助终端</translation>
    </message>
    <message>
        <location filename="../../../ui/assist/view.py" line="308" />
        <source>The citizen declined</source>
        <translation>群众已拒绝</translation>
    </message>
    <message>
        <location filename="../../../ui/assist/view.py" line="309" />
        <source>Assistance stopped</source>
        <translation>协助已停止</translation>
    </message>
    <message>
        <location filename="../../../ui/assist/view.py" line="310" />
        <source>The call ended; control ended with it</source>
        <translation>通话已结束，操控随之结束</translation>
    </message>
</context><context>
    <name>BookingPanel</name>
    <message>
        <location filename="../../../plugins/proxy_booking/panel.py" line="44" />
        <source>Hall</source>
        <translation>办事大厅</translation>
    </message>
    <message>
        <location filename="../../../plugins/proxy_booking/panel.py" line="45" />
        <source>Day</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../../../plugins/proxy_booking/panel.py" line="84" />
        <source>{0}  free {1}</source>
        <translation>{0}  余 {1} 个</translation>
    </message>
    <message>
        <location filename="../../../plugins/proxy_booking/panel.py" line="94" />
        <source>Booked {0}: {1} {2}, {3} materials linked</source>
        <translation>已预约 {0}：{1} {2}，已关联材料 {3} 份</translation>
    </message>
    <message>
        <location filename="../../../plugins/proxy_booking/panel.py" line="98" />
        <source>Find free slots, pick one, then book.</source>
        <translation>先查询空闲时段，选中一个，再代预约。</translation>
    </message>
</context><context>
    <name>CameraPreview</name>
    <message>
        <location filename="../../../ui/devices/device_views.py" line="85" />
        <source>Waiting for the camera's picture…</source>
        <translation>正在等待摄像头画面…</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/device_views.py" line="86" />
        <source>No camera found</source>
        <translation>未检测到摄像头</translation>
    </message>
</context><context>
    <name>CertificateBox</name>
    <message>
        <location filename="../../../ui/review/certificate_box.py" line="137" />
        <source>Electronic certificates…</source>
        <translation>电子证照…</translation>
    </message>
    <message>
        <location filename="../../../ui/review/certificate_box.py" line="139" />
        <source>With the citizen's consent, look up their certificates in the electronic licence library and attach one instead of a photo</source>
        <translation>经群众同意，从电子证照库查询其证照，并以证照代替照片作为材料</translation>
    </message>
    <message>
        <location filename="../../../ui/review/certificate_box.py" line="186" />
        <source>A task plugin asks for the certificates: %1</source>
        <translation>任务插件请求查询电子证照：%1</translation>
    </message>
    <message>
        <location filename="../../../ui/review/certificate_box.py" line="192" />
        <source>Waiting for the citizen to answer on their device…</source>
        <translation>正在等待群众在其设备上答复…</translation>
    </message>
    <message>
        <location filename="../../../ui/review/certificate_box.py" line="197" />
        <source>Recording the citizen's answer…</source>
        <translation>正在记录群众的答复…</translation>
    </message>
    <message>
        <location filename="../../../ui/review/certificate_box.py" line="203" />
        <source>The citizen refused: nothing was looked up. Ask for photos of the materials instead.</source>
        <translation>群众不同意：未查询任何证照。请改为请群众拍照上传材料。</translation>
    </message>
    <message>
        <location filename="../../../ui/review/certificate_box.py" line="212" />
        <source>The citizen refused on their device: nothing was looked up. Ask for photos of the materials instead.</source>
        <translation>群众在设备上选择了不同意：未查询任何证照。请改为请群众拍照上传材料。</translation>
    </message>
    <message>
        <location filename="../../../ui/review/certificate_box.py" line="222" />
        <source>Consent recorded; the library holds %1 certificate(s)</source>
        <translation>授权已记录；电子证照库中有 %1 个证照</translation>
    </message>
    <message>
        <location filename="../../../ui/review/certificate_box.py" line="224" />
        <source>List (%1)</source>
        <translation>证照列表（%1）</translation>
    </message>
    <message>
        <location filename="../../../ui/review/certificate_box.py" line="246" />
        <source>Attaching %1…</source>
        <translation>正在附加%1…</translation>
    </message>
    <message>
        <location filename="../../../ui/review/certificate_box.py" line="250" />
        <source>%1 attached: verified at source (electronic licence library)</source>
        <translation>已附加%1：校验来源为电子证照库</translation>
    </message>
    <message>
        <location filename="../../../ui/review/certificate_box.py" line="283" />
        <source>Failed: %1</source>
        <translation>失败：%1</translation>
    </message>
</context><context>
    <name>CertificatesDialog</name>
    <message>
        <location filename="../../../ui/review/certificates_dialog.py" line="52" />
        <source>Electronic certificates: %1</source>
        <translation>电子证照：%1</translation>
    </message>
    <message>
        <location filename="../../../ui/review/certificates_dialog.py" line="58" />
        <source>Certificate</source>
        <translation>证照</translation>
    </message>
    <message>
        <location filename="../../../ui/review/certificates_dialog.py" line="58" />
        <source>Number</source>
        <translation>证照编号</translation>
    </message>
    <message>
        <location filename="../../../ui/review/certificates_dialog.py" line="58" />
        <source>Issued by</source>
        <translation>发证机关</translation>
    </message>
    <message>
        <location filename="../../../ui/review/certificates_dialog.py" line="59" />
        <source>Valid until</source>
        <translation>有效期至</translation>
    </message>
    <message>
        <location filename="../../../ui/review/certificates_dialog.py" line="59" />
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../../ui/review/certificates_dialog.py" line="68" />
        <source>Choose a certificate to see it</source>
        <translation>选择一个证照以查看</translation>
    </message>
    <message>
        <location filename="../../../ui/review/certificates_dialog.py" line="74" />
        <source>Attach as the material</source>
        <translation>作为材料附加</translation>
    </message>
    <message>
        <location filename="../../../ui/review/certificates_dialog.py" line="79" />
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../../ui/review/certificates_dialog.py" line="84" />
        <source>Stands for:</source>
        <translation>作为材料：</translation>
    </message>
    <message>
        <location filename="../../../ui/review/certificates_dialog.py" line="90" />
        <source>Looked up with the citizen's consent (reference %1). A valid certificate attached is verified at source and needs no photo.</source>
        <translation>已经群众同意查询（授权编号 %1）。附加有效证照即视为源头核验，无需再拍照预审。</translation>
    </message>
    <message>
        <location filename="../../../ui/review/certificates_dialog.py" line="114" />
        <source>%1 · attached</source>
        <translation>%1 · 已附加</translation>
    </message>
    <message>
        <location filename="../../../ui/review/certificates_dialog.py" line="116" />
        <source>Long-term</source>
        <translation>长期</translation>
    </message>
    <message>
        <location filename="../../../ui/review/certificates_dialog.py" line="132" />
        <source>The certificate's image cannot be shown</source>
        <translation>无法显示证照图像</translation>
    </message>
    <message>
        <location filename="../../../ui/review/certificates_dialog.py" line="157" />
        <source>Loading the certificate…</source>
        <translation>正在加载证照…</translation>
    </message>
    <message>
        <location filename="../../../ui/review/certificates_dialog.py" line="165" />
        <source>%1 is %2: it cannot stand for a material. Ask the citizen for a valid document.</source>
        <translation>%1%2，不能作为材料。请群众提供有效证件。</translation>
    </message>
    <message>
        <location filename="../../../ui/review/certificates_dialog.py" line="170" />
        <source>This item's checklist asks for no %1</source>
        <translation>本事项的材料清单不需要%1</translation>
    </message>
</context><context>
    <name>CertificationPanel</name>
    <message>
        <location filename="../../../plugins/pension_certification/panel.py" line="61" />
        <source>ID photo on file | stills from the video</source>
        <translation>档案证件照 | 视频截图</translation>
    </message>
    <message>
        <location filename="../../../plugins/pension_certification/panel.py" line="64" />
        <source>Face-to-face checklist</source>
        <translation>面对面核验清单</translation>
    </message>
    <message>
        <location filename="../../../plugins/pension_certification/panel.py" line="94" />
        <source>no ID photo on file yet</source>
        <translation>尚无档案证件照</translation>
    </message>
    <message>
        <location filename="../../../plugins/pension_certification/panel.py" line="98" />
        <source>capture stills from the video</source>
        <translation>请从视频截图</translation>
    </message>
    <message>
        <location filename="../../../plugins/pension_certification/panel.py" line="106" />
        <source>Status: {0}, last certified {1}</source>
        <translation>认证状态：{0}，上次认证 {1}</translation>
    </message>
    <message>
        <location filename="../../../plugins/pension_certification/panel.py" line="110" />
        <source>Submitted: {0}</source>
        <translation>已提交：{0}</translation>
    </message>
</context><context>
    <name>ChatPane</name>
    <message>
        <location filename="../../../ui/call/chat_pane.py" line="28" />
        <source>Type a message, Enter to send</source>
        <translation>输入消息，按回车发送</translation>
    </message>
    <message>
        <location filename="../../../ui/call/chat_pane.py" line="30" />
        <source>Send</source>
        <translation>发送</translation>
    </message>
    <message>
        <location filename="../../../ui/call/chat_pane.py" line="62" />
        <source>Me</source>
        <translation>我</translation>
    </message>
    <message>
        <location filename="../../../ui/call/chat_pane.py" line="62" />
        <source>Citizen</source>
        <translation>群众</translation>
    </message>
</context><context>
    <name>CheckResultsView</name>
    <message>
        <location filename="../../../ui/devices/check_view.py" line="74" />
        <source>Not checked yet</source>
        <translation>尚未检测</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/check_view.py" line="84" />
        <source>Not checked</source>
        <translation>未检测</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/check_view.py" line="88" />
        <source>Working</source>
        <translation>正常</translation>
    </message>
</context><context>
    <name>ChecklistRow</name>
    <message>
        <location filename="../../../ui/review/checklist.py" line="58" />
        <source>%1 (optional)</source>
        <translation>%1（非必需）</translation>
    </message>
    <message>
        <location filename="../../../ui/review/checklist.py" line="82" />
        <source>Reason…</source>
        <translation>补正原因…</translation>
    </message>
    <message>
        <location filename="../../../ui/review/checklist.py" line="87" />
        <source>Note for the citizen</source>
        <translation>给群众的说明</translation>
    </message>
    <message>
        <location filename="../../../ui/review/checklist.py" line="124" />
        <source>Source checked: %1</source>
        <translation>校验来源：%1</translation>
    </message>
    <message>
        <location filename="../../../ui/review/checklist.py" line="127" />
        <source>Images: %1</source>
        <translation>图片：%1 张</translation>
    </message>
    <message>
        <location filename="../../../ui/review/checklist.py" line="128" />
        <source>No image yet</source>
        <translation>尚无图片</translation>
    </message>
</context><context>
    <name>ChoiceEditor</name>
    <message>
        <location filename="../../../ui/acceptance/form_editors.py" line="231" />
        <source>Choose…</source>
        <translation>请选择…</translation>
    </message>
</context><context>
    <name>ConsentDialog</name>
    <message>
        <location filename="../../../ui/review/certificate_box.py" line="49" />
        <source>Look up the citizen's electronic certificates</source>
        <translation>查询群众的电子证照</translation>
    </message>
    <message>
        <location filename="../../../ui/review/certificate_box.py" line="52" />
        <source>Please ask the citizen:</source>
        <translation>请向群众询问：</translation>
    </message>
    <message>
        <location filename="../../../ui/review/certificate_box.py" line="54" />
        <source>“To handle %1, may I look up your certificates (ID card, household register, business licence and so on) in the Guangdong electronic licence library? They are used only for this pre-review, and you will not need to photograph them.”</source>
        <translation>“为办理「%1」，请问是否同意我从广东省电子证照库查询您的证照（如身份证、户口簿、营业执照等）？仅用于本次材料预审，您无需再拍照上传。”</translation>
    </message>
    <message>
        <location filename="../../../ui/review/certificate_box.py" line="64" />
        <source>ID number to look up:</source>
        <translation>查询的身份证号码：</translation>
    </message>
    <message>
        <location filename="../../../ui/review/certificate_box.py" line="68" />
        <source>18 characters</source>
        <translation>18位</translation>
    </message>
    <message>
        <location filename="../../../ui/review/certificate_box.py" line="74" />
        <source>The answer is written to the service centre's audit log before anything is looked up. If the citizen refuses, nothing is looked up.</source>
        <translation>群众的答复会先写入服务中心的审计日志，然后才查询。群众不同意则不查询任何证照。</translation>
    </message>
    <message>
        <location filename="../../../ui/review/certificate_box.py" line="81" />
        <source>The citizen agreed: look up</source>
        <translation>群众已同意，查询</translation>
    </message>
    <message>
        <location filename="../../../ui/review/certificate_box.py" line="84" />
        <source>The citizen refused</source>
        <translation>群众不同意</translation>
    </message>
    <message>
        <location filename="../../../ui/review/certificate_box.py" line="87" />
        <source>Ask on the citizen's device</source>
        <translation>请群众在设备上确认</translation>
    </message>
    <message>
        <location filename="../../../ui/review/certificate_box.py" line="89" />
        <source>The citizen's page asks them and they answer there; the answer is recorded</source>
        <translation>群众的页面会询问其是否同意，答复会被记录</translation>
    </message>
    <message>
        <location filename="../../../ui/review/certificate_box.py" line="91" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context><context>
    <name>ConsultParts</name>
    <message>
        <location filename="../../../ui/call/consult_window.py" line="243" />
        <source>A colleague asks you to consult: see the consult window</source>
        <translation>同事请求会商，请查看会商窗口</translation>
    </message>
</context><context>
    <name>ConsultWindow</name>
    <message>
        <location filename="../../../ui/call/consult_window.py" line="102" />
        <source>Consult (Shift+F5)</source>
        <translation>会商（Shift+F5）</translation>
    </message>
    <message>
        <location filename="../../../ui/call/consult_window.py" line="168" />
        <location filename="../../../ui/call/consult_window.py" line="111" />
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <location filename="../../../ui/call/consult_window.py" line="113" />
        <source>The citizen appears here in a three-way call</source>
        <translation>三方通话时此处显示市民画面</translation>
    </message>
    <message>
        <location filename="../../../ui/call/consult_window.py" line="117" />
        <source>Answer</source>
        <translation>接听</translation>
    </message>
    <message>
        <location filename="../../../ui/call/consult_window.py" line="118" />
        <source>Decline</source>
        <translation>拒绝</translation>
    </message>
    <message>
        <location filename="../../../ui/call/consult_window.py" line="119" />
        <source>Back to the citizen</source>
        <translation>返回市民</translation>
    </message>
    <message>
        <location filename="../../../ui/call/consult_window.py" line="120" />
        <source>Three-way call</source>
        <translation>三方通话</translation>
    </message>
    <message>
        <location filename="../../../ui/call/consult_window.py" line="164" />
        <location filename="../../../ui/call/consult_window.py" line="121" />
        <source>Hand over</source>
        <translation>移交通话</translation>
    </message>
    <message>
        <location filename="../../../ui/call/consult_window.py" line="122" />
        <source>Leave the consult</source>
        <translation>离开会商</translation>
    </message>
    <message>
        <location filename="../../../ui/call/consult_window.py" line="142" />
        <source>ringing</source>
        <translation>振铃中</translation>
    </message>
    <message>
        <location filename="../../../ui/call/consult_window.py" line="142" />
        <source>asks you to consult</source>
        <translation>请求与您会商</translation>
    </message>
    <message>
        <location filename="../../../ui/call/consult_window.py" line="143" />
        <source>talking (the citizen is on hold)</source>
        <translation>通话中（市民保持中）</translation>
    </message>
    <message>
        <location filename="../../../ui/call/consult_window.py" line="144" />
        <source>three-way call with the citizen</source>
        <translation>与市民三方通话中</translation>
    </message>
    <message>
        <location filename="../../../ui/call/consult_window.py" line="145" />
        <source>ended</source>
        <translation>已结束</translation>
    </message>
    <message>
        <location filename="../../../ui/call/consult_window.py" line="147" />
        <source>Consult</source>
        <translation>会商</translation>
    </message>
    <message>
        <location filename="../../../ui/call/consult_window.py" line="152" />
        <source>Note: %1</source>
        <translation>备注：%1</translation>
    </message>
    <message>
        <location filename="../../../ui/call/consult_window.py" line="163" />
        <source>Leave it to the colleague</source>
        <translation>离开，交给同事</translation>
    </message>
    <message>
        <location filename="../../../ui/call/consult_window.py" line="167" />
        <source>Ringing…</source>
        <translation>正在振铃…</translation>
    </message>
</context><context>
    <name>CounterDeskPane</name>
    <message>
        <location filename="../../../ui/counter/desk_words.py" line="21" />
        <source>“%1” is not an appointment number: it is YY and 8 digits, e.g. YY-00000042.</source>
        <translation>“%1”不是有效的预约号：预约号为 YY 加 8 位数字，例如 YY-00000042。</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/desk_words.py" line="24" />
        <source>No appointment %1. Check the number with the citizen, or serve them without an appointment.</source>
        <translation>没有找到预约 %1。请与群众核对预约号，或按无预约受理。</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/desk_words.py" line="28" />
        <source>The government service system cannot be reached right now. Try again shortly, or serve the citizen without an appointment.</source>
        <translation>暂时无法连接政务服务系统。请稍后重试，或按无预约受理。</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/desk_words.py" line="32" />
        <source>The government service system refused this workstation's credentials. Please call IT support.</source>
        <translation>政务服务系统拒绝了本工作站的接入凭据，请联系运维人员。</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/desk_pane.py" line="347" />
        <location filename="../../../ui/counter/desk_words.py" line="36" />
        <source>Could not open the walk-in: %1</source>
        <translation>受理未能打开：%1</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/desk_words.py" line="37" />
        <source>The hub did not take the walk-in: %1</source>
        <translation>服务端未受理本次窗口接待：%1</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/desk_words.py" line="46" />
        <source>The document camera has no new image yet: scan the document first.</source>
        <translation>高拍仪还没有新图像，请先拍摄材料。</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/desk_pane.py" line="274" />
        <location filename="../../../ui/counter/desk_words.py" line="49" />
        <source>No document camera folder is set up for this seat</source>
        <translation>本窗口未配置高拍仪文件夹</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/desk_words.py" line="51" />
        <source>the camera is still saving it, press F8 again</source>
        <translation>高拍仪仍在保存，请再按 F8</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/desk_words.py" line="53" />
        <source>the file is too large</source>
        <translation>文件太大</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/desk_words.py" line="54" />
        <source>the image has too many pixels</source>
        <translation>图像像素过多</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/desk_words.py" line="55" />
        <source>it is not a JPEG or PNG image, or it is damaged</source>
        <translation>不是 JPEG 或 PNG 图像，或文件已损坏</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/desk_words.py" line="57" />
        <source>the image is cut off</source>
        <translation>图像不完整</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/desk_words.py" line="58" />
        <source>the image's metadata is malformed</source>
        <translation>图像元数据异常</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/desk_words.py" line="60" />
        <source>The document camera's image %1 cannot be used: %2</source>
        <translation>高拍仪图像 %1 无法使用：%2</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/desk_pane.py" line="86" />
        <source>Walk-in intake</source>
        <translation>窗口受理</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/desk_pane.py" line="92" />
        <source>Look up (Enter)</source>
        <translation>查询 (Enter)</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/desk_pane.py" line="95" />
        <source>Type the item, its code or pinyin initials…</source>
        <translation>输入事项名称、编码或拼音首字母…</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/desk_pane.py" line="96" />
        <source>Start</source>
        <translation>开始受理</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/desk_pane.py" line="104" />
        <source>No walk-in open. Type the citizen's appointment number and press Enter, or choose the item for a walk-in without appointment.</source>
        <translation>尚未受理。请输入群众的预约号并按回车查询；无预约的，请选择事项后开始受理。</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/desk_pane.py" line="106" />
        <source>Ctrl+M switches the seat between video, counter and combined mode.</source>
        <translation>按 Ctrl+M 在视频、窗口、视频+窗口模式之间切换。</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/desk_pane.py" line="278" />
        <location filename="../../../ui/counter/desk_pane.py" line="112" />
        <source>Appointment</source>
        <translation>预约信息</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/desk_pane.py" line="124" />
        <source>Item</source>
        <translation>事项</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/desk_pane.py" line="125" />
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/desk_pane.py" line="126" />
        <source>Citizen</source>
        <translation>群众</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/desk_pane.py" line="127" />
        <source>Work order</source>
        <translation>工单</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/desk_pane.py" line="130" />
        <source>Materials</source>
        <translation>材料</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/desk_pane.py" line="136" />
        <source>Take from document camera (F8)</source>
        <translation>高拍仪取图 (F8)</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/desk_pane.py" line="146" />
        <source>Open the form</source>
        <translation>打开表单</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/desk_pane.py" line="147" />
        <source>Pre-review</source>
        <translation>材料预审</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/desk_pane.py" line="148" />
        <source>Done — next citizen</source>
        <translation>办结，下一位</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/desk_pane.py" line="156" />
        <source>Appointment no.</source>
        <translation>预约号</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/desk_pane.py" line="160" />
        <source>No appointment:</source>
        <translation>无预约：</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/desk_pane.py" line="204" />
        <source>On a video call: walk-in intake resumes after the call.</source>
        <translation>正在视频通话：通话结束后再办理窗口受理。</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/desk_pane.py" line="218" />
        <source>Looking up appointment %1…</source>
        <translation>正在查询预约 %1…</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/desk_pane.py" line="226" />
        <source>Choose the item from the list first.</source>
        <translation>请先从列表中选择事项。</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/desk_pane.py" line="229" />
        <source>Opening %1…</source>
        <translation>正在打开 %1…</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/desk_pane.py" line="242" />
        <source>Took %1 from the document camera: check it in the pre-review.</source>
        <translation>已从高拍仪取图 %1，请在材料预审中核对。</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/desk_pane.py" line="292" />
        <source>Walk-in without appointment</source>
        <translation>无预约受理</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/desk_pane.py" line="294" />
        <source>(fill in on the form)</source>
        <translation>（在表单中填写）</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/desk_pane.py" line="300" />
        <source>Note: the appointment is not for today (%1).</source>
        <translation>注意：该预约不是今天的（%1）。</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/desk_pane.py" line="304" />
        <source>Appointment %1 opened; %2 form value(s) from the booking wait for your confirmation.</source>
        <translation>已打开预约 %1，预约带出的 %2 项表单内容待您与群众核对确认。</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/desk_pane.py" line="317" />
        <source>%1 image(s) at the counter</source>
        <translation>窗口拍摄 %1 张</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/desk_pane.py" line="319" />
        <source>pre-reviewed on video</source>
        <translation>视频预审</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/desk_pane.py" line="325" />
        <source>Still missing: %1</source>
        <translation>还缺：%1</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/desk_pane.py" line="328" />
        <source>All required materials accepted</source>
        <translation>必需材料已齐全</translation>
    </message>
</context><context>
    <name>DateRangeEditor</name>
    <message>
        <location filename="../../../ui/acceptance/form_editors.py" line="204" />
        <source>to</source>
        <translation>至</translation>
    </message>
</context><context>
    <name>DeviceButton</name>
    <message>
        <location filename="../../../ui/devices/device_button.py" line="61" />
        <source>%1 (+%2)</source>
        <translation>%1（+%2）</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/device_button.py" line="65" />
        <source>Checking devices…</source>
        <translation>正在检测设备…</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/device_button.py" line="67" />
        <source>Devices OK</source>
        <translation>设备正常</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/device_button.py" line="68" />
        <source>Device settings (%1)</source>
        <translation>设备设置（%1）</translation>
    </message>
</context><context>
    <name>DeviceDialog</name>
    <message>
        <location filename="../../../ui/devices/device_dialog.py" line="50" />
        <source>Device settings</source>
        <translation>设备设置</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/device_dialog.py" line="54" />
        <source>No camera found</source>
        <translation>未检测到摄像头</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/device_dialog.py" line="55" />
        <source>No microphone found</source>
        <translation>未检测到麦克风</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/device_dialog.py" line="56" />
        <source>No speaker found</source>
        <translation>未检测到扬声器</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/device_dialog.py" line="57" />
        <source>&amp;Camera</source>
        <translation>摄像头(&amp;C)</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/device_dialog.py" line="57" />
        <source>&amp;Microphone</source>
        <translation>麦克风(&amp;M)</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/device_dialog.py" line="58" />
        <source>&amp;Speaker</source>
        <translation>扬声器(&amp;S)</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/device_dialog.py" line="73" />
        <source>Play &amp;test tone</source>
        <translation>播放测试音(&amp;T)</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/device_dialog.py" line="74" />
        <source>&amp;Echo cancellation and noise suppression</source>
        <translation>回声消除与降噪(&amp;E)</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/device_dialog.py" line="94" />
        <source>Chec&amp;k devices</source>
        <translation>设备检测(&amp;K)</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/device_dialog.py" line="96" />
        <source>Check the camera, microphone and speaker (F5)</source>
        <translation>检测摄像头、麦克风和扬声器（F5）</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/device_dialog.py" line="100" />
        <source>Device check</source>
        <translation>设备检测</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/device_dialog.py" line="145" />
        <source>%1 (default)</source>
        <translation>%1（默认）</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/device_dialog.py" line="151" />
        <source>None in use</source>
        <translation>未使用</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/device_dialog.py" line="179" />
        <source>Checking…</source>
        <translation>正在检测…</translation>
    </message>
</context><context>
    <name>FailureNotice</name>
    <message>
        <location filename="../../../ui/task_failures.py" line="40" />
        <source>Not connected to the hub; try again shortly</source>
        <translation>未连接到服务端，请稍后再试</translation>
    </message>
    <message>
        <location filename="../../../ui/task_failures.py" line="41" />
        <source>%1 failed: %2</source>
        <translation>%1 失败：%2</translation>
    </message>
</context><context>
    <name>FormPane</name>
    <message>
        <location filename="../../../ui/acceptance/form_pane.py" line="60" />
        <source>Prefilled — confirm</source>
        <translation>预填·待确认</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/form_pane.py" line="62" />
        <source>Confirmed with the citizen</source>
        <translation>已与申请人核对，点此确认</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/form_pane.py" line="156" />
        <location filename="../../../ui/acceptance/form_pane.py" line="91" />
        <source>No application form for this work order</source>
        <translation>此工单没有需填写的申请表</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/form_pane.py" line="99" />
        <source>Still missing</source>
        <translation>尚缺</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/form_pane.py" line="106" />
        <source>Confirm all prefilled</source>
        <translation>全部预填已核对</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/form_pane.py" line="107" />
        <source>Submit application (Ctrl+Enter)</source>
        <translation>提交受理（Ctrl+Enter）</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/form_pane.py" line="163" />
        <source>Work order %1 · %2</source>
        <translation>工单 %1 · %2</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/form_pane.py" line="174" />
        <source>Scenario</source>
        <translation>情形问答</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/form_pane.py" line="175" />
        <source>Application</source>
        <translation>申请信息</translation>
    </message>
    <message numerus="yes">
        <location filename="../../../ui/acceptance/form_pane.py" line="249" />
        <source>Not submitted: %n item(s) still missing</source>
        <translation>
            <numerusform>未提交：尚缺 %n 项</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/form_pane.py" line="253" />
        <source>Not submitted: confirm the applicant's identity first</source>
        <translation>未提交：请先确认申请人身份</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/form_pane.py" line="256" />
        <source>Saving…</source>
        <translation>正在保存…</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/form_pane.py" line="259" />
        <source>Not saved: %1</source>
        <translation>未能保存：%1</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/form_pane.py" line="268" />
        <source>Saved in the outbox; sending… (attempt %1)</source>
        <translation>已存入发件箱，正在发送…（第 %1 次）</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/form_pane.py" line="270" />
        <source>Sending to the government service API…</source>
        <translation>正在提交政务服务接口…</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/form_pane.py" line="271" />
        <source>Accepted: application number %1</source>
        <translation>已受理，申请编号 %1</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/form_pane.py" line="272" />
        <source>Returned for correction: %1</source>
        <translation>退回补正：%1</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/form_pane.py" line="274" />
        <source>Failed: %1</source>
        <translation>提交失败：%1</translation>
    </message>
    <message numerus="yes">
        <location filename="../../../ui/acceptance/form_pane.py" line="316" />
        <source>Still missing: %n</source>
        <translation>
            <numerusform>尚缺 %n 项</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/form_pane.py" line="317" />
        <source>Nothing missing: confirm the applicant's identity above</source>
        <translation>信息齐全，请先确认上方的申请人身份</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/form_pane.py" line="319" />
        <source>Nothing missing: ready to submit</source>
        <translation>信息齐全，可以提交</translation>
    </message>
</context><context>
    <name>IdCardPanel</name>
    <message>
        <location filename="../../../ui/assist/view.py" line="188" />
        <source>ID card at the kiosk</source>
        <translation>自助终端身份证读取</translation>
    </message>
    <message>
        <location filename="../../../ui/assist/view.py" line="211" />
        <location filename="../../../ui/assist/view.py" line="192" />
        <source>No card read yet</source>
        <translation>尚未读取身份证</translation>
    </message>
    <message>
        <location filename="../../../ui/assist/view.py" line="195" />
        <source>Prefill the form</source>
        <translation>预填申请表</translation>
    </message>
    <message>
        <location filename="../../../ui/assist/view.py" line="227" />
        <source>Face matches the card (%1)</source>
        <translation>人证一致（%1）</translation>
    </message>
    <message>
        <location filename="../../../ui/assist/view.py" line="230" />
        <source>Face does NOT match the card (%1)</source>
        <translation>人证不一致（%1）</translation>
    </message>
</context><context>
    <name>IdentityWarning</name>
    <message>
        <location filename="../../../ui/acceptance/identity_warning.py" line="28" />
        <source>Checked with the caller: apply on behalf of someone else</source>
        <translation>已与来电人核实，确认代他人申请</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/identity_warning.py" line="43" />
        <source>The applicant's ID number %1 differs from the caller's (%2) %3. Apply on behalf of someone else?</source>
        <translation>申请人身份证号 %1 与来电人（%2）%3 不一致，确认代他人申请？</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/identity_warning.py" line="60" />
        <source>kiosk ID-card read</source>
        <translation>自助终端读卡</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/identity_warning.py" line="61" />
        <source>ID number given when queuing</source>
        <translation>排队时填报</translation>
    </message>
</context><context>
    <name>JoinedSupervisorWindow</name>
    <message>
        <location filename="../../../ui/supervision/joined_supervisor.py" line="34" />
        <source>Supervisor in the call</source>
        <translation>值班长在通话中</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/joined_supervisor.py" line="40" />
        <source>The supervisor's camera…</source>
        <translation>值班长的画面…</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/joined_supervisor.py" line="58" />
        <source>Supervisor %1 joined the call: the citizen and you see and hear them</source>
        <translation>值班长 %1 已加入通话：群众和您都能看到、听到值班长</translation>
    </message>
</context><context>
    <name>LevelMeter</name>
    <message>
        <location filename="../../../ui/devices/device_views.py" line="180" />
        <source>The microphone gives no sound</source>
        <translation>麦克风没有声音</translation>
    </message>
</context><context>
    <name>LinkedPhotosStrip</name>
    <message>
        <location filename="../../../ui/counter/linked_photos_strip.py" line="45" />
        <source>Photos pre-reviewed on video</source>
        <translation>视频预审的材料照片</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/linked_photos_strip.py" line="85" />
        <source>%1 — click to open it large</source>
        <translation>%1 —— 点击查看大图</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/linked_photos_strip.py" line="94" />
        <source>A pre-reviewed photo could not be fetched: %1</source>
        <translation>预审照片获取失败：%1</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/linked_photos_strip.py" line="100" />
        <source>accepted</source>
        <translation>通过</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/linked_photos_strip.py" line="100" />
        <source>to correct</source>
        <translation>需补正</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/linked_photos_strip.py" line="101" />
        <source>missing</source>
        <translation>缺失</translation>
    </message>
</context><context>
    <name>LoginDialog</name>
    <message>
        <location filename="../../../ui/login_dialog.py" line="34" />
        <source>Log in to the video service</source>
        <translation>登录视频办坐席</translation>
    </message>
    <message>
        <location filename="../../../ui/login_dialog.py" line="44" />
        <source>The token is kept in the system keyring, never in a file.</source>
        <translation>令牌保存在系统密钥环中，不会写入文件。</translation>
    </message>
    <message>
        <location filename="../../../ui/login_dialog.py" line="48" />
        <source>Agent ID</source>
        <translation>工号</translation>
    </message>
    <message>
        <location filename="../../../ui/login_dialog.py" line="49" />
        <source>Token</source>
        <translation>令牌</translation>
    </message>
    <message>
        <location filename="../../../ui/login_dialog.py" line="67" />
        <source>Enter your agent ID.</source>
        <translation>请输入工号。</translation>
    </message>
    <message>
        <location filename="../../../ui/login_dialog.py" line="72" />
        <source>The token is empty or has characters a token cannot have.</source>
        <translation>令牌为空或包含无效字符。</translation>
    </message>
    <message>
        <location filename="../../../ui/login_dialog.py" line="101" />
        <source>The token could not be saved and is used for this session only: %1</source>
        <translation>令牌无法保存，仅在本次登录中使用：%1</translation>
    </message>
</context><context>
    <name>MainWindow</name>
    <message>
        <location filename="../../../ui/workstation/main_window.py" line="124" />
        <source>Queue</source>
        <translation>排队</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/main_window.py" line="126" />
        <source>Citizen and work order</source>
        <translation>群众与工单</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/main_window.py" line="132" />
        <source>Chat</source>
        <translation>文字交流</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/main_window.py" line="136" />
        <source>Work</source>
        <translation>办理</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/main_window.py" line="150" />
        <source>Walk-in intake</source>
        <translation>窗口受理</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/main_window.py" line="213" />
        <source>search work orders</source>
        <translation>查询工单</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/main_window.py" line="244" />
        <source>No video to capture yet</source>
        <translation>还没有可截取的视频画面</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/main_window.py" line="253" />
        <source>Still captured as a material</source>
        <translation>已截图保存为材料</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/main_window.py" line="255" />
        <source>capture a still</source>
        <translation>截图</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/main_window.py" line="275" />
        <source>Connecting video…</source>
        <translation>正在接通视频…</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/main_window.py" line="279" />
        <source>No call. Waiting citizens appear in the queue.</source>
        <translation>当前无通话。排队的群众会显示在左侧队列中。</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/main_window.py" line="285" />
        <source>Connection restored; the call goes on</source>
        <translation>连接已恢复，通话继续</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/main_window.py" line="289" />
        <source>The citizen is back; the video resumes…</source>
        <translation>市民已重新连接，视频正在恢复…</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/main_window.py" line="292" />
        <source>The citizen's network dropped; waiting for them to reconnect…</source>
        <translation>市民网络中断，正在等待其重新连接…</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/main_window.py" line="307" />
        <source>Work order %1 closed</source>
        <translation>工单 %1 已办结</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/main_window.py" line="311" />
        <source>The call's media could not connect: %1</source>
        <translation>通话音视频无法接通：%1</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/main_window.py" line="312" />
        <source>The hub's media relay settings are unusable: %1</source>
        <translation>服务端下发的媒体中继配置无法使用：%1</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/main_window.py" line="313" />
        <source>This seat logged in on another computer; this one stopped</source>
        <translation>本坐席已在另一台电脑登录，本机已停止连接</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/main_window.py" line="314" />
        <source>Your login credentials were revoked; please contact the administrator</source>
        <translation>您的登录凭据已被吊销，请联系管理员</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/main_window.py" line="316" />
        <source>Hub: %1</source>
        <translation>服务端：%1</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/main_window.py" line="329" />
        <source>Network down, reconnecting… the call is kept for a while</source>
        <translation>网络中断，正在重新连接…通话将暂时保留</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/main_window.py" line="355" />
        <source>Video service seat</source>
        <translation>视频办坐席</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/main_window.py" line="357" />
        <source>ID</source>
        <translation>工号</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/work_tab_links.py" line="95" />
        <source>Citizen</source>
        <translation>群众</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/work_tab_links.py" line="96" />
        <source>Me</source>
        <translation>我</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/work_tab_links.py" line="99" />
        <source>%1 uploading a photo: %2%</source>
        <translation>%1正在上传照片：%2%</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/work_tab_links.py" line="111" />
        <source>Verdict recorded at the counter</source>
        <translation>已在窗口记录预审结论</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/work_tab_links.py" line="114" />
        <source>send the verdict</source>
        <translation>发送预审意见</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/work_tab_links.py" line="156" />
        <source>show the receipt</source>
        <translation>显示回执</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/work_tab_links.py" line="165" />
        <source>No call to send the receipt to</source>
        <translation>当前没有可发送回执的通话</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/work_tab_links.py" line="178" />
        <source>Receipt sent to the citizen</source>
        <translation>回执已发送给申请人</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/work_tab_links.py" line="180" />
        <source>send the receipt</source>
        <translation>发送回执</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/work_tab_links.py" line="242" />
        <source>No receipt to print yet</source>
        <translation>还没有可打印的回执</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/work_tab_links.py" line="249" />
        <source>Sent to the kiosk printer</source>
        <translation>已发送到自助终端打印机</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/work_tab_links.py" line="251" />
        <source>print at the kiosk</source>
        <translation>在自助终端打印</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/work_tab_links.py" line="258" />
        <source>No application form open</source>
        <translation>没有打开的申请表</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/mode_link.py" line="59" />
        <source>%1 mode starts when this call is wrapped up</source>
        <translation>本次通话小结完成后切换为%1模式</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/mode_link.py" line="63" />
        <source>%1 mode (Ctrl+M switches mode)</source>
        <translation>%1模式（Ctrl+M 切换模式）</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/mode_link.py" line="68" />
        <source>document camera</source>
        <translation>高拍仪</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/mode_link.py" line="77" />
        <source>Switching to %1 mode…</source>
        <translation>正在切换到%1模式…</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/work_tabs.py" line="101" />
        <source>Pre-review</source>
        <translation>材料预审</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/work_tabs.py" line="103" />
        <source>Application</source>
        <translation>业务受理</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/work_tabs.py" line="104" />
        <source>Outbox</source>
        <translation>提交箱</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/work_tabs.py" line="105" />
        <source>Receipt</source>
        <translation>受理回执</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/work_tabs.py" line="107" />
        <source>Task plugins</source>
        <translation>办事指引</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/work_tabs.py" line="109" />
        <source>Remote assistance</source>
        <translation>远程协助</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/work_tabs.py" line="111" />
        <source>Work orders</source>
        <translation>工单</translation>
    </message>
</context><context>
    <name>MaterialStrip</name>
    <message>
        <location filename="../../../ui/review/strip.py" line="77" />
        <source>Unassigned</source>
        <translation>未归类</translation>
    </message>
</context><context>
    <name>OfferBanner</name>
    <message>
        <location filename="../../../ui/call/offer_banner.py" line="44" />
        <source>Accept (F2)</source>
        <translation>接听 (F2)</translation>
    </message>
    <message>
        <location filename="../../../ui/call/offer_banner.py" line="47" />
        <source>Decline (F3)</source>
        <translation>拒接 (F3)</translation>
    </message>
    <message>
        <location filename="../../../ui/call/offer_banner.py" line="77" />
        <source>Citizen</source>
        <translation>群众</translation>
    </message>
    <message>
        <location filename="../../../ui/call/offer_banner.py" line="78" />
        <source>video</source>
        <translation>视频</translation>
    </message>
    <message>
        <location filename="../../../ui/call/offer_banner.py" line="78" />
        <source>audio only</source>
        <translation>仅语音</translation>
    </message>
    <message>
        <location filename="../../../ui/call/offer_banner.py" line="91" />
        <source>(no note)</source>
        <translation>（无备注）</translation>
    </message>
    <message>
        <location filename="../../../ui/call/offer_banner.py" line="92" />
        <source>%1 materials, %2 pre-review verdicts, %3 chat lines</source>
        <translation>随附材料 %1 份、预审意见 %2 条、聊天记录 %3 条</translation>
    </message>
    <message>
        <location filename="../../../ui/call/offer_banner.py" line="96" />
        <source>Transferred from %1: %2</source>
        <translation>%1 转来：%2</translation>
    </message>
    <message>
        <location filename="../../../ui/call/offer_banner.py" line="102" />
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
</context><context>
    <name>OutboxBadge</name>
    <message numerus="yes">
        <location filename="../../../ui/acceptance/outbox_pane.py" line="183" />
        <source>%n to send</source>
        <translation>
            <numerusform>%n 件待发送</numerusform>
        </translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/outbox_pane.py" line="187" />
        <source>Outbox: %1</source>
        <translation>发件箱：%1</translation>
    </message>
</context><context>
    <name>OutboxPane</name>
    <message>
        <location filename="../../../ui/acceptance/outbox_pane.py" line="55" />
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/outbox_pane.py" line="55" />
        <source>Item</source>
        <translation>事项</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/outbox_pane.py" line="55" />
        <source>Applicant</source>
        <translation>申请人</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/outbox_pane.py" line="56" />
        <source>Application number</source>
        <translation>申请编号</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/outbox_pane.py" line="56" />
        <source>Submitted</source>
        <translation>提交时间</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/outbox_pane.py" line="68" />
        <source>Send again</source>
        <translation>重新发送</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/outbox_pane.py" line="69" />
        <source>Open receipt</source>
        <translation>查看回执</translation>
    </message>
    <message numerus="yes">
        <location filename="../../../ui/acceptance/outbox_pane.py" line="138" />
        <source> · %n attempt(s) so far</source>
        <translation>
            <numerusform> · 已尝试 %n 次</numerusform>
        </translation>
    </message>
</context><context>
    <name>PhotoDialog</name>
    <message>
        <location filename="../../../ui/counter/linked_photos_strip.py" line="126" />
        <source>%1 (pre-reviewed on video)</source>
        <translation>%1（视频预审）</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/linked_photos_strip.py" line="128" />
        <source>Loading…</source>
        <translation>加载中…</translation>
    </message>
    <message>
        <location filename="../../../ui/counter/linked_photos_strip.py" line="145" />
        <source>The photo cannot be shown: %1</source>
        <translation>照片无法显示：%1</translation>
    </message>
</context><context>
    <name>Playback</name>
    <message>
        <location filename="../../../ui/recording/playback.py" line="108" />
        <source>it plays no sound format this player makes</source>
        <translation>该设备不支持本播放器的声音格式</translation>
    </message>
</context><context>
    <name>PluginPanel</name>
    <message>
        <location filename="../../../ui/plugin_host/panel.py" line="153" />
        <source>No task plugin for this item.</source>
        <translation>该事项没有任务插件。</translation>
    </message>
</context><context>
    <name>QueryPanel</name>
    <message>
        <location filename="../../../plugins/unemployment_query/panel.py" line="32" />
        <source>ID number as read from the card</source>
        <translation>按证件读取的身份证号码</translation>
    </message>
    <message>
        <location filename="../../../plugins/unemployment_query/panel.py" line="36" />
        <source>Item</source>
        <translation>项目</translation>
    </message>
    <message>
        <location filename="../../../plugins/unemployment_query/panel.py" line="36" />
        <source>Value</source>
        <translation>内容</translation>
    </message>
    <message>
        <location filename="../../../plugins/unemployment_query/panel.py" line="42" />
        <source>ID number</source>
        <translation>身份证号码</translation>
    </message>
    <message>
        <location filename="../../../plugins/unemployment_query/panel.py" line="43" />
        <source>Identity</source>
        <translation>身份核验</translation>
    </message>
    <message>
        <location filename="../../../plugins/unemployment_query/panel.py" line="64" />
        <source>not checked</source>
        <translation>未核验</translation>
    </message>
    <message>
        <location filename="../../../plugins/unemployment_query/panel.py" line="66" />
        <source>identity checked</source>
        <translation>身份已核验</translation>
    </message>
</context><context>
    <name>QueuePane</name>
    <message>
        <location filename="../../../ui/call/queue_pane.py" line="204" />
        <source>No one is waiting</source>
        <translation>暂无排队</translation>
    </message>
    <message numerus="yes">
        <location filename="../../../ui/call/queue_pane.py" line="206" />
        <source>%n waiting, longest %1</source>
        <translation>
            <numerusform>排队 %n 人，最长等待 %1</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../../ui/call/queue_pane.py" line="211" />
        <source> (%n link lost, not offered now)</source>
        <translation>
            <numerusform>（%n 人连接中断，暂不分配）</numerusform>
        </translation>
    </message>
</context><context>
    <name>QueueTableModel</name>
    <message>
        <location filename="../../../ui/call/queue_pane.py" line="87" />
        <source>Item</source>
        <translation>事项</translation>
    </message>
    <message>
        <location filename="../../../ui/call/queue_pane.py" line="88" />
        <source>Channel</source>
        <translation>渠道</translation>
    </message>
    <message>
        <location filename="../../../ui/call/queue_pane.py" line="89" />
        <source>Priority</source>
        <translation>优先</translation>
    </message>
    <message>
        <location filename="../../../ui/call/queue_pane.py" line="90" />
        <source>Waiting</source>
        <translation>等待</translation>
    </message>
    <message>
        <location filename="../../../ui/call/queue_pane.py" line="100" />
        <source>lost
%1 s</source>
        <translation>中断
%1 秒</translation>
    </message>
    <message>
        <location filename="../../../ui/call/queue_pane.py" line="101" />
        <source>Link lost, place kept %1 s</source>
        <translation>连接中断，保留 %1 秒</translation>
    </message>
    <message>
        <location filename="../../../ui/call/queue_pane.py" line="126" />
        <source>Not offered until the citizen is back</source>
        <translation>群众重新连接前不会分配</translation>
    </message>
</context><context>
    <name>RaisedHands</name>
    <message>
        <location filename="../../../ui/supervision/raised_hands.py" line="40" />
        <source>%1 raises a hand for help: %2</source>
        <translation>%1 举手求助：%2</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/raised_hands.py" line="44" />
        <source> · Ctrl+J joins the call, Ctrl+W watches it</source>
        <translation> · Ctrl+J 加入通话，Ctrl+W 监看</translation>
    </message>
</context><context>
    <name>ReadyCheckDialog</name>
    <message>
        <location filename="../../../ui/devices/check_view.py" line="135" />
        <source>Device check</source>
        <translation>设备检测</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/check_view.py" line="138" />
        <source>The microphone or the speaker is not working: if you go ready now, calls may not be heard.</source>
        <translation>麦克风或扬声器无法正常使用，现在就绪可能无法正常通话。</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/check_view.py" line="145" />
        <source>Check a&amp;gain</source>
        <translation>重新检测(&amp;G)</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/check_view.py" line="147" />
        <source>Go ready &amp;anyway</source>
        <translation>仍然就绪(&amp;A)</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/check_view.py" line="149" />
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/check_view.py" line="186" />
        <source>Checking…</source>
        <translation>正在检测…</translation>
    </message>
</context><context>
    <name>ReceiptView</name>
    <message>
        <location filename="../../../ui/acceptance/receipt_view.py" line="44" />
        <source>No receipt yet</source>
        <translation>暂无回执</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/receipt_view.py" line="45" />
        <source>Print…</source>
        <translation>打印…</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/receipt_view.py" line="46" />
        <source>Send to citizen</source>
        <translation>发送给申请人</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/receipt_view.py" line="75" />
        <source>Receipt %1</source>
        <translation>受理回执 %1</translation>
    </message>
</context><context>
    <name>RecordingIndicator</name>
    <message>
        <location filename="../../../ui/recording/indicator.py" line="62" />
        <source>● Recording</source>
        <translation>● 录像中</translation>
    </message>
    <message>
        <location filename="../../../ui/recording/indicator.py" line="65" />
        <source>Recording saved (%1)</source>
        <translation>录像已保存（%1）</translation>
    </message>
    <message>
        <location filename="../../../ui/recording/indicator.py" line="70" />
        <source>Recording failed: %1</source>
        <translation>录像失败：%1</translation>
    </message>
</context><context>
    <name>RecordingPlayer</name>
    <message>
        <location filename="../../../ui/recording/player.py" line="99" />
        <source>Recording of %1</source>
        <translation>%1 的录像</translation>
    </message>
    <message>
        <location filename="../../../ui/recording/player.py" line="102" />
        <source>Opening the recording…</source>
        <translation>正在打开录像…</translation>
    </message>
    <message>
        <location filename="../../../ui/recording/player.py" line="229" />
        <location filename="../../../ui/recording/player.py" line="103" />
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <location filename="../../../ui/recording/player.py" line="106" />
        <source>Position</source>
        <translation>播放位置</translation>
    </message>
    <message>
        <location filename="../../../ui/recording/player.py" line="111" />
        <source>Mute (M)</source>
        <translation>静音 (M)</translation>
    </message>
    <message>
        <location filename="../../../ui/recording/player.py" line="112" />
        <source>Mute</source>
        <translation>静音</translation>
    </message>
    <message>
        <location filename="../../../ui/recording/player.py" line="118" />
        <location filename="../../../ui/recording/player.py" line="117" />
        <source>Volume</source>
        <translation>音量</translation>
    </message>
    <message>
        <location filename="../../../ui/recording/player.py" line="195" />
        <source>Sound only: this call has no picture</source>
        <translation>仅有声音：此通话没有画面</translation>
    </message>
    <message>
        <location filename="../../../ui/recording/player.py" line="203" />
        <source>Sound track: %1, playing on %2</source>
        <translation>音轨：%1，正在通过“%2”播放</translation>
    </message>
    <message>
        <location filename="../../../ui/recording/player.py" line="206" />
        <source>No sound track</source>
        <translation>没有音轨</translation>
    </message>
    <message>
        <location filename="../../../ui/recording/player.py" line="208" />
        <source>This computer has no speaker: the recording plays without sound</source>
        <translation>本机没有可用的扬声器，录像无声播放</translation>
    </message>
    <message>
        <location filename="../../../ui/recording/player.py" line="210" />
        <source>The speaker %1 is not connected: the recording plays without sound</source>
        <translation>扬声器“%1”未连接，录像无声播放</translation>
    </message>
    <message>
        <location filename="../../../ui/recording/player.py" line="213" />
        <source>Sound cannot be played on %1 (%2): the recording plays without sound</source>
        <translation>无法通过“%1”播放声音（%2），录像无声播放</translation>
    </message>
    <message>
        <location filename="../../../ui/recording/player.py" line="229" />
        <source>Play</source>
        <translation>播放</translation>
    </message>
    <message>
        <location filename="../../../ui/recording/player.py" line="232" />
        <source>The recording cannot be played: %1</source>
        <translation>无法播放此录像：%1</translation>
    </message>
</context><context>
    <name>RegionEditor</name>
    <message>
        <location filename="../../../ui/acceptance/form_editors.py" line="268" />
        <source>Province</source>
        <translation>省</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/form_editors.py" line="268" />
        <source>City</source>
        <translation>市</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/form_editors.py" line="269" />
        <source>District / town</source>
        <translation>区县/镇街</translation>
    </message>
</context><context>
    <name>RegistrationPanel</name>
    <message>
        <location filename="../../../plugins/business_registration/panel.py" line="37" />
        <source>Registered on {0}
Unified social credit code: {1}
Licence PDF: {2}</source>
        <translation>登记日期 {0}
统一社会信用代码：{1}
营业执照PDF：{2}</translation>
    </message>
    <message>
        <location filename="../../../plugins/business_registration/panel.py" line="41" />
        <source>Answer the scenario questions, fill in the form, then register.</source>
        <translation>先回答情形问答、填写表单，再提交登记。</translation>
    </message>
</context><context>
    <name>ReportDialog</name>
    <message>
        <location filename="../../../ui/supervision/report_dialog.py" line="58" />
        <source>Save the report</source>
        <translation>保存报表</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/report_dialog.py" line="71" />
        <source>Statistics report</source>
        <translation>统计报表</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/report_dialog.py" line="154" />
        <location filename="../../../ui/supervision/report_dialog.py" line="118" />
        <location filename="../../../ui/supervision/report_dialog.py" line="95" />
        <location filename="../../../ui/supervision/report_dialog.py" line="79" />
        <source>Day</source>
        <translation>日</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/report_dialog.py" line="120" />
        <location filename="../../../ui/supervision/report_dialog.py" line="95" />
        <location filename="../../../ui/supervision/report_dialog.py" line="79" />
        <source>Month</source>
        <translation>月</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/report_dialog.py" line="121" />
        <location filename="../../../ui/supervision/report_dialog.py" line="80" />
        <source>Year</source>
        <translation>年</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/report_dialog.py" line="80" />
        <source>From … to …</source>
        <translation>自定义起止日期</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/report_dialog.py" line="93" />
        <source>Hall</source>
        <translation>大厅</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/report_dialog.py" line="93" />
        <source>Theme</source>
        <translation>主题</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/report_dialog.py" line="93" />
        <source>Item</source>
        <translation>事项</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/report_dialog.py" line="94" />
        <source>Agent</source>
        <translation>坐席</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/report_dialog.py" line="94" />
        <source>Channel</source>
        <translation>渠道</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/report_dialog.py" line="110" />
        <source>Make the report</source>
        <translation>生成报表</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/report_dialog.py" line="113" />
        <source>Open the PDF</source>
        <translation>打开 PDF</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/report_dialog.py" line="115" />
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/report_dialog.py" line="117" />
        <source>Period</source>
        <translation>统计周期</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/report_dialog.py" line="122" />
        <source>Last day</source>
        <translation>截止日期</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/report_dialog.py" line="123" />
        <source>Broken down by</source>
        <translation>分项统计</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/report_dialog.py" line="154" />
        <source>First day</source>
        <translation>起始日期</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/report_dialog.py" line="177" />
        <source>The last day is before the first day.</source>
        <translation>截止日期早于起始日期。</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/report_dialog.py" line="183" />
        <source>Asking the hub for the report…</source>
        <translation>正在请求服务端生成报表…</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/report_dialog.py" line="192" />
        <source>The hub did not make the report: %1</source>
        <translation>服务端未生成报表：%1</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/report_dialog.py" line="195" />
        <source>No report: %1</source>
        <translation>未能生成报表：%1</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/report_dialog.py" line="204" />
        <source>The report was made but not saved.</source>
        <translation>报表已生成，但未保存。</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/report_dialog.py" line="209" />
        <source>The report could not be saved: %1</source>
        <translation>报表保存失败：%1</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/report_dialog.py" line="214" />
        <source>Saved %1 (%2 work orders).</source>
        <translation>已保存 %1（共 %2 张工单）。</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/report_dialog.py" line="220" />
        <source>The hub is reading the ledger…</source>
        <translation>服务端正在读取工单台账…</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/report_dialog.py" line="221" />
        <source>Counting %1 work orders…</source>
        <translation>正在统计 %1 张工单…</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/report_dialog.py" line="222" />
        <source>Writing the PDF of %1 work orders…</source>
        <translation>正在生成 %1 张工单的 PDF…</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/report_dialog.py" line="223" />
        <source>Receiving the PDF…</source>
        <translation>正在接收 PDF…</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/report_dialog.py" line="224" />
        <source>The report is in.</source>
        <translation>报表已生成。</translation>
    </message>
</context><context>
    <name>ReviewPane</name>
    <message>
        <location filename="../../../ui/review/pane.py" line="86" />
        <source>Which checklist material this image shows</source>
        <translation>这张图片对应清单中的哪项材料</translation>
    </message>
    <message>
        <location filename="../../../ui/review/pane.py" line="174" />
        <location filename="../../../ui/review/pane.py" line="91" />
        <source>Send verdict to citizen</source>
        <translation>发送预审意见给群众</translation>
    </message>
    <message>
        <location filename="../../../ui/review/pane.py" line="93" />
        <source>Pre-review notice (PDF)</source>
        <translation>生成预审意见书（PDF）</translation>
    </message>
    <message>
        <location filename="../../../ui/review/pane.py" line="114" />
        <source>This image is:</source>
        <translation>此图为：</translation>
    </message>
    <message>
        <location filename="../../../ui/review/pane.py" line="127" />
        <source>Checklist</source>
        <translation>材料清单</translation>
    </message>
    <message>
        <location filename="../../../ui/review/pane.py" line="175" />
        <location filename="../../../ui/review/pane.py" line="136" />
        <source>Verdicts sent</source>
        <translation>已发送的预审意见</translation>
    </message>
    <message>
        <location filename="../../../ui/review/pane.py" line="169" />
        <source>No materials yet: scan them with the document camera (F8)</source>
        <translation>暂无材料：请用高拍仪扫描材料（F8）</translation>
    </message>
    <message>
        <location filename="../../../ui/review/pane.py" line="170" />
        <source>Record the verdict</source>
        <translation>记录预审结论</translation>
    </message>
    <message>
        <location filename="../../../ui/review/pane.py" line="171" />
        <source>Verdicts recorded</source>
        <translation>已记录的预审结论</translation>
    </message>
    <message>
        <location filename="../../../ui/review/pane.py" line="173" />
        <source>No materials yet: the citizen's photos appear here</source>
        <translation>暂无材料：群众上传的照片会显示在这里</translation>
    </message>
    <message>
        <location filename="../../../ui/review/pane.py" line="213" />
        <source>Checklist: %1</source>
        <translation>材料清单：%1</translation>
    </message>
    <message>
        <location filename="../../../ui/review/pane.py" line="214" />
        <source>(not on the checklist)</source>
        <translation>（不在清单中）</translation>
    </message>
    <message>
        <location filename="../../../ui/review/pane.py" line="294" />
        <source>Cannot show this image: %1</source>
        <translation>无法显示此图片：%1</translation>
    </message>
    <message>
        <location filename="../../../ui/review/pane.py" line="314" />
        <source>Mark every material first: %1</source>
        <translation>请先审核每项材料：%1</translation>
    </message>
    <message>
        <location filename="../../../ui/review/pane.py" line="319" />
        <source>Preparing the annotated images…</source>
        <translation>正在生成标注图片…</translation>
    </message>
    <message>
        <location filename="../../../ui/review/pane.py" line="331" />
        <source>Mark every material before making the notice</source>
        <translation>请先审核每项材料再生成意见书</translation>
    </message>
    <message>
        <location filename="../../../ui/review/pane.py" line="334" />
        <source>Making the notice…</source>
        <translation>正在生成预审意见书…</translation>
    </message>
    <message>
        <location filename="../../../ui/review/pane.py" line="346" />
        <source>Verdict ready to send with %1 annotated image(s)</source>
        <translation>预审意见已就绪，附 %1 张标注图片</translation>
    </message>
    <message>
        <location filename="../../../ui/review/pane.py" line="352" />
        <source>Notice ready</source>
        <translation>预审意见书已生成</translation>
    </message>
    <message>
        <location filename="../../../ui/review/pane.py" line="357" />
        <source>Failed: %1</source>
        <translation>失败：%1</translation>
    </message>
</context><context>
    <name>ReviewToolBar</name>
    <message>
        <location filename="../../../ui/review/tools.py" line="104" />
        <source>Colour</source>
        <translation>颜色</translation>
    </message>
    <message>
        <location filename="../../../ui/review/tools.py" line="107" />
        <source>Label text</source>
        <translation>标注文字</translation>
    </message>
    <message>
        <location filename="../../../ui/review/tools.py" line="108" />
        <source>Text for new labels; edits the selected label</source>
        <translation>新文字标注的内容；选中文字标注时修改其内容</translation>
    </message>
    <message>
        <location filename="../../../ui/review/tools.py" line="112" />
        <source>Undo</source>
        <translation>撤销</translation>
    </message>
    <message>
        <location filename="../../../ui/review/tools.py" line="113" />
        <source>Undo (Ctrl+Z)</source>
        <translation>撤销（Ctrl+Z）</translation>
    </message>
    <message>
        <location filename="../../../ui/review/tools.py" line="114" />
        <source>Redo</source>
        <translation>重做</translation>
    </message>
    <message>
        <location filename="../../../ui/review/tools.py" line="115" />
        <source>Redo (Ctrl+Y)</source>
        <translation>重做（Ctrl+Y）</translation>
    </message>
    <message>
        <location filename="../../../ui/review/tools.py" line="116" />
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location filename="../../../ui/review/tools.py" line="118" />
        <source>Rotate left (Shift+R)</source>
        <translation>向左旋转（Shift+R）</translation>
    </message>
    <message>
        <location filename="../../../ui/review/tools.py" line="120" />
        <source>Rotate right (R)</source>
        <translation>向右旋转（R）</translation>
    </message>
    <message>
        <location filename="../../../ui/review/tools.py" line="121" />
        <source>Fit</source>
        <translation>适合窗口</translation>
    </message>
    <message>
        <location filename="../../../ui/review/tools.py" line="122" />
        <source>Fit to the window (0)</source>
        <translation>适合窗口大小（0）</translation>
    </message>
    <message>
        <location filename="../../../ui/review/tools.py" line="124" />
        <source>Actual size (1)</source>
        <translation>实际大小（1）</translation>
    </message>
</context><context>
    <name>ReviewViewer</name>
    <message>
        <location filename="../../../ui/review/viewer.py" line="100" />
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
</context><context>
    <name>ScreenShareView</name>
    <message>
        <location filename="../../../ui/call/screen_share_view.py" line="208" />
        <source>Capture shared screen (Shift+F8)</source>
        <translation>截取共享画面 (Shift+F8)</translation>
    </message>
    <message>
        <location filename="../../../ui/call/screen_share_view.py" line="210" />
        <source>Save the shared screen as a material</source>
        <translation>把群众共享的画面保存为材料</translation>
    </message>
    <message>
        <location filename="../../../ui/call/screen_share_view.py" line="211" />
        <source>Clear marks</source>
        <translation>清除标注</translation>
    </message>
    <message>
        <location filename="../../../ui/call/screen_share_view.py" line="214" />
        <source>The shared screen takes the whole window; Esc brings the panels back</source>
        <translation>共享屏幕占满整个窗口；按 Esc 恢复各面板</translation>
    </message>
    <message>
        <location filename="../../../ui/call/screen_share_view.py" line="257" />
        <source>Restore (Shift+F11)</source>
        <translation>还原 (Shift+F11)</translation>
    </message>
    <message>
        <location filename="../../../ui/call/screen_share_view.py" line="258" />
        <source>Enlarge (Shift+F11)</source>
        <translation>放大共享屏幕 (Shift+F11)</translation>
    </message>
    <message>
        <location filename="../../../ui/call/screen_share_view.py" line="275" />
        <source>a browser tab</source>
        <translation>一个浏览器标签页</translation>
    </message>
    <message>
        <location filename="../../../ui/call/screen_share_view.py" line="276" />
        <source>a window</source>
        <translation>一个窗口</translation>
    </message>
    <message>
        <location filename="../../../ui/call/screen_share_view.py" line="277" />
        <source>the whole screen</source>
        <translation>整个屏幕</translation>
    </message>
    <message>
        <location filename="../../../ui/call/screen_share_view.py" line="279" />
        <source>the screen</source>
        <translation>屏幕</translation>
    </message>
    <message>
        <location filename="../../../ui/call/screen_share_view.py" line="281" />
        <source>The citizen shares %1 (view only). Move the mouse to point, drag to draw.</source>
        <translation>群众正在共享%1（只能看，不能操作）。移动鼠标即可指示，按住拖动可画线。</translation>
    </message>
</context><context>
    <name>SeatWallGrid</name>
    <message>
        <location filename="../../../ui/supervision/seat_wall.py" line="177" />
        <source>serving a walk-in</source>
        <translation>窗口接待中</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/seat_wall.py" line="235" />
        <source>◉ %1 joined the call</source>
        <translation>◉ %1 已加入通话</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/seat_wall.py" line="237" />
        <source>◉ %1 is talking in</source>
        <translation>◉ %1 正在插话</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/seat_wall.py" line="238" />
        <source>◉ Watched by %1</source>
        <translation>◉ %1 监看中</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/seat_wall.py" line="244" />
        <source> (answered: %1)</source>
        <translation>（%1 已响应）</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/seat_wall.py" line="246" />
        <source>[Hand up] %1</source>
        <translation>【举手】%1</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/seat_wall.py" line="253" />
        <source>Mode: %1</source>
        <translation>模式：%1</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/seat_wall.py" line="261" />
        <source>[Transferring to %1]</source>
        <translation>【正在转接给 %1】</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/seat_wall.py" line="263" />
        <source>[On hold]</source>
        <translation>【保持中】</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/seat_wall.py" line="265" />
        <source>[Consulting %1]</source>
        <translation>[会商 %1]</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/seat_wall.py" line="267" />
        <source>[Three-way with %1]</source>
        <translation>[与%1三方通话]</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/seat_wall.py" line="273" />
        <source>Wrap-up overdue</source>
        <translation>话后超时</translation>
    </message>
</context><context>
    <name>SeatWallWindow</name>
    <message>
        <location filename="../../../ui/supervision/wall_window.py" line="69" />
        <source>Seat wall</source>
        <translation>坐席监控墙</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_window.py" line="81" />
        <source>Hall</source>
        <translation>大厅</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_window.py" line="82" />
        <source>Theme</source>
        <translation>主题</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_window.py" line="83" />
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_window.py" line="88" />
        <source>Whisper…</source>
        <translation>私信…</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_window.py" line="89" />
        <source>Set ready</source>
        <translation>置为就绪</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_window.py" line="90" />
        <source>Set away</source>
        <translation>置为离开</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_window.py" line="97" />
        <source>Watch call (Ctrl+W)</source>
        <translation>监看通话 (Ctrl+W)</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_window.py" line="99" />
        <source>Join call (Ctrl+J)</source>
        <translation>加入通话 (Ctrl+J)</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_window.py" line="101" />
        <source>Join the call as its third party: the citizen and the agent see and hear you</source>
        <translation>作为第三方加入通话：群众和坐席都能看到、听到您</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_window.py" line="107" />
        <source>Statistics report…</source>
        <translation>统计报表…</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_window.py" line="119" />
        <source>Overview</source>
        <translation>概览</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_window.py" line="121" />
        <source>Work orders</source>
        <translation>工单</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_window.py" line="169" />
        <source>All</source>
        <translation>全部</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_window.py" line="257" />
        <source>Whisper</source>
        <translation>私信</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_window.py" line="257" />
        <source>Private message to %1:</source>
        <translation>发给 %1 的私信：</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_window.py" line="286" />
        <source>Agent %1 %2</source>
        <translation>坐席 %1 %2</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_window.py" line="295" />
        <source>Queue %1 %2</source>
        <translation>队列 %1 %2</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_window.py" line="300" />
        <source>Move citizen</source>
        <translation>转移市民</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_window.py" line="301" />
        <source>Move %1 to:</source>
        <translation>将 %1 转至：</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_session.py" line="48" />
        <location filename="../../../ui/supervision/wall_session.py" line="43" />
        <source>The watch ended</source>
        <translation>监看已结束</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_session.py" line="44" />
        <source>The watch ended: the call is over</source>
        <translation>监看已结束：通话已结束</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_session.py" line="45" />
        <source>The watch ended: the agent went offline</source>
        <translation>监看已结束：坐席已离线</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_session.py" line="46" />
        <source>The watch ended: the agent's workstation could not send the call</source>
        <translation>监看已结束：坐席工作台无法传送通话</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_session.py" line="55" />
        <source>Whisper sent</source>
        <translation>私信已发送</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_session.py" line="56" />
        <source>Agent state changed</source>
        <translation>坐席状态已更改</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_session.py" line="57" />
        <source>Citizen moved</source>
        <translation>市民已转移</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_session.py" line="58" />
        <source>Watching the call</source>
        <translation>已开始监看</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_session.py" line="59" />
        <source>Barge-in changed</source>
        <translation>插话状态已切换</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_session.py" line="60" />
        <source>You joined the call</source>
        <translation>已加入通话</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_session.py" line="61" />
        <source>You left the call and are watching it</source>
        <translation>已退出通话，继续监看</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_session.py" line="62" />
        <source>Watch stopped</source>
        <translation>已停止监看</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_session.py" line="65" />
        <source>Done: %1</source>
        <translation>完成：%1</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_session.py" line="68" />
        <source>Refused: %1</source>
        <translation>被拒绝：%1</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_session.py" line="221" />
        <source>Your login credentials were revoked; please contact the administrator</source>
        <translation>您的登录凭据已被吊销，请联系管理员</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_session.py" line="227" />
        <source>The hub refused the login</source>
        <translation>服务端拒绝登录</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_session.py" line="232" />
        <source>Supervisor action</source>
        <translation>监控操作</translation>
    </message>
</context><context>
    <name>SessionPage</name>
    <message>
        <location filename="../../../ui/plugin_host/panel.py" line="120" />
        <source>This plugin was switched off: {0}</source>
        <translation>该插件已停用：{0}</translation>
    </message>
</context><context>
    <name>SharedScreenCanvas</name>
    <message>
        <location filename="../../../ui/call/screen_share_view.py" line="135" />
        <source>Waiting for the citizen's shared screen…</source>
        <translation>正在等待群众共享的画面…</translation>
    </message>
</context><context>
    <name>SoundOutput</name>
    <message>
        <location filename="../../../ui/recording/sound_output.py" line="157" />
        <source>the sound output did not open</source>
        <translation>声音输出无法打开</translation>
    </message>
    <message>
        <location filename="../../../ui/recording/sound_output.py" line="161" />
        <source>the speaker takes no sound</source>
        <translation>扬声器没有播放任何声音</translation>
    </message>
    <message>
        <location filename="../../../ui/recording/sound_output.py" line="220" />
        <source>the sound output stopped (%1)</source>
        <translation>声音输出已中断（%1）</translation>
    </message>
</context><context>
    <name>StatusStrip</name>
    <message>
        <location filename="../../../ui/workstation/status_strip.py" line="54" />
        <source>Change state…</source>
        <translation>切换状态…</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/status_strip.py" line="55" />
        <source>Ready (F9)</source>
        <translation>就绪 (F9)</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/status_strip.py" line="58" />
        <source>Away: %1</source>
        <translation>离开：%1</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/status_strip.py" line="77" />
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/status_strip.py" line="81" />
        <source>Mode</source>
        <translation>模式</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/status_strip.py" line="138" />
        <source>Supervisor %1 joined this call</source>
        <translation>值班长 %1 已加入本通话</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/status_strip.py" line="141" />
        <source>Supervisor %1 is talking in this call</source>
        <translation>主管 %1 正在本通话中插话</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/status_strip.py" line="144" />
        <source>Supervisor %1 is watching this call</source>
        <translation>主管 %1 正在监看本通话</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/status_strip.py" line="158" />
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/status_strip.py" line="159" />
        <source>Connected</source>
        <translation>已连接</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/status_strip.py" line="160" />
        <source>Network down, reconnecting…</source>
        <translation>网络中断，正在重新连接…</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/status_strip.py" line="161" />
        <source>Certificate refused, retrying</source>
        <translation>证书未通过验证，正在重试</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/status_strip.py" line="162" />
        <source>Login refused</source>
        <translation>登录被拒绝</translation>
    </message>
    <message>
        <location filename="../../../ui/workstation/status_strip.py" line="163" />
        <source>Stopped</source>
        <translation>已停止</translation>
    </message>
</context><context>
    <name>TransferDialog</name>
    <message>
        <location filename="../../../ui/call/transfer_dialog.py" line="49" />
        <source>ready</source>
        <translation>空闲</translation>
    </message>
    <message>
        <location filename="../../../ui/call/transfer_dialog.py" line="50" />
        <source>ringing</source>
        <translation>振铃中</translation>
    </message>
    <message>
        <location filename="../../../ui/call/transfer_dialog.py" line="51" />
        <source>in a call</source>
        <translation>通话中</translation>
    </message>
    <message>
        <location filename="../../../ui/call/transfer_dialog.py" line="52" />
        <source>wrapping up</source>
        <translation>整理中</translation>
    </message>
    <message>
        <location filename="../../../ui/call/transfer_dialog.py" line="53" />
        <source>away</source>
        <translation>离开</translation>
    </message>
    <message>
        <location filename="../../../ui/call/transfer_dialog.py" line="54" />
        <source>at the counter</source>
        <translation>窗口服务中</translation>
    </message>
    <message>
        <location filename="../../../ui/call/transfer_dialog.py" line="55" />
        <source>offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <location filename="../../../ui/call/transfer_dialog.py" line="66" />
        <source>Consult a colleague (Shift+F5)</source>
        <translation>会商同事（Shift+F5）</translation>
    </message>
    <message>
        <location filename="../../../ui/call/transfer_dialog.py" line="67" />
        <source>Transfer the call (F5)</source>
        <translation>转接通话（F5）</translation>
    </message>
    <message>
        <location filename="../../../ui/call/transfer_dialog.py" line="70" />
        <source>Type an item, a theme or a seat id to filter</source>
        <translation>输入事项、主题或坐席工号筛选</translation>
    </message>
    <message>
        <location filename="../../../ui/call/transfer_dialog.py" line="73" />
        <source>Note for the colleague (what the citizen needs, what was checked)</source>
        <translation>给同事的备注（市民要办什么、已核验了什么）</translation>
    </message>
    <message>
        <location filename="../../../ui/call/transfer_dialog.py" line="77" />
        <source>The citizen is put on hold while you talk to the colleague; then return, go three-way or hand the call over.</source>
        <translation>与同事通话期间市民处于保持状态；之后可返回市民、转为三方通话或移交通话。</translation>
    </message>
    <message>
        <location filename="../../../ui/call/transfer_dialog.py" line="79" />
        <source>The citizen waits at the head of that queue and sees “正在为您转接…”.</source>
        <translation>市民将排在该队列首位，并看到“正在为您转接…”。</translation>
    </message>
    <message>
        <location filename="../../../ui/call/transfer_dialog.py" line="87" />
        <source>Call</source>
        <translation>呼叫</translation>
    </message>
    <message>
        <location filename="../../../ui/call/transfer_dialog.py" line="87" />
        <source>Transfer</source>
        <translation>转接</translation>
    </message>
    <message>
        <location filename="../../../ui/call/transfer_dialog.py" line="94" />
        <source>Theme</source>
        <translation>主题</translation>
    </message>
    <message>
        <location filename="../../../ui/call/transfer_dialog.py" line="118" />
        <source>Colleague</source>
        <translation>同事</translation>
    </message>
    <message>
        <location filename="../../../ui/call/transfer_dialog.py" line="145" />
        <source>Call seat %1</source>
        <translation>呼叫坐席 %1</translation>
    </message>
    <message>
        <location filename="../../../ui/call/transfer_dialog.py" line="145" />
        <source>Transfer to seat %1</source>
        <translation>转给坐席 %1</translation>
    </message>
</context><context>
    <name>TransferParts</name>
    <message>
        <location filename="../../../ui/call/transfer_dialog.py" line="226" />
        <source>Hand lowered</source>
        <translation>已放下举手</translation>
    </message>
    <message>
        <location filename="../../../ui/call/transfer_dialog.py" line="231" />
        <source>Hand raised: shown on the seat wall (F12 lowers it)</source>
        <translation>已举手，坐席墙上已显示（F12 放下）</translation>
    </message>
    <message>
        <location filename="../../../ui/call/transfer_dialog.py" line="236" />
        <source>Ask for help (F12)</source>
        <translation>举手求助（F12）</translation>
    </message>
    <message>
        <location filename="../../../ui/call/transfer_dialog.py" line="237" />
        <source>What do you need help with?</source>
        <translation>需要什么帮助？</translation>
    </message>
    <message>
        <location filename="../../../ui/call/transfer_dialog.py" line="246" />
        <source>On hold: the citizen neither hears nor sees you (F11 resumes)</source>
        <translation>保持中：市民听不到也看不到您（F11 恢复）</translation>
    </message>
    <message>
        <location filename="../../../ui/call/transfer_dialog.py" line="248" />
        <source>Call resumed</source>
        <translation>通话已恢复</translation>
    </message>
    <message>
        <location filename="../../../ui/call/transfer_dialog.py" line="252" />
        <source>The call was handed on</source>
        <translation>通话已转出</translation>
    </message>
</context><context>
    <name>VideoPane</name>
    <message>
        <location filename="../../../ui/call/video_pane.py" line="277" />
        <source>No call. Waiting citizens appear in the queue.</source>
        <translation>当前无通话。排队的群众会显示在左侧队列中。</translation>
    </message>
    <message>
        <location filename="../../../ui/call/video_pane.py" line="278" />
        <source>Mute (F6)</source>
        <translation>静音 (F6)</translation>
    </message>
    <message>
        <location filename="../../../ui/call/video_pane.py" line="281" />
        <source>Camera off (F7)</source>
        <translation>关闭摄像头 (F7)</translation>
    </message>
    <message>
        <location filename="../../../ui/call/video_pane.py" line="284" />
        <source>Capture material (F8)</source>
        <translation>截图为材料 (F8)</translation>
    </message>
    <message>
        <location filename="../../../ui/call/video_pane.py" line="286" />
        <source>Save the current picture as a material, e.g. a document held to the camera</source>
        <translation>把当前画面保存为材料，例如群众对着摄像头出示的证件</translation>
    </message>
    <message>
        <location filename="../../../ui/call/video_pane.py" line="289" />
        <source>Hang up (F4)</source>
        <translation>挂断 (F4)</translation>
    </message>
</context><context>
    <name>VideoView</name>
    <message>
        <location filename="../../../ui/call/video_pane.py" line="139" />
        <source>The citizen turned their camera off</source>
        <translation>市民已关闭摄像头</translation>
    </message>
    <message>
        <location filename="../../../ui/call/video_pane.py" line="141" />
        <source>The citizen's camera is unavailable</source>
        <translation>市民的摄像头不可用</translation>
    </message>
    <message>
        <location filename="../../../ui/call/video_pane.py" line="148" />
        <source>Citizen muted</source>
        <translation>市民已静音</translation>
    </message>
    <message>
        <location filename="../../../ui/call/video_pane.py" line="150" />
        <source>The citizen's microphone is unavailable</source>
        <translation>市民的麦克风不可用</translation>
    </message>
</context><context>
    <name>WallRecordings</name>
    <message>
        <location filename="../../../ui/supervision/wall_recordings.py" line="41" />
        <source>Fetching the recording from the hub…</source>
        <translation>正在从中心取录音…</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_recordings.py" line="51" />
        <source>The hub cannot be reached: try again later</source>
        <translation>连不上中心，请稍后再试</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_recordings.py" line="54" />
        <source>The recording could not be saved on this computer: %s</source>
        <translation>录音无法保存到本机：%s</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_recordings.py" line="64" />
        <source>Not at the hub yet: the recording is still on the agent's PC</source>
        <translation>录音还在坐席电脑上，尚未上传到中心</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_recordings.py" line="66" />
        <source>The hub has no recording of this work order (or it expired)</source>
        <translation>中心没有这个工单的录音（或已过保存期限）</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_recordings.py" line="68" />
        <source>Only supervisors may play recordings</source>
        <translation>只有督导可以播放录音</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_recordings.py" line="70" />
        <source>The hub could not write its audit log: nothing was played</source>
        <translation>中心无法写入审计日志，未播放</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_recordings.py" line="72" />
        <source>The recording arrived damaged: please try again</source>
        <translation>收到的录音已损坏，请重试</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_recordings.py" line="73" />
        <source>The hub refused the recording: %s</source>
        <translation>中心拒绝提供录音：%s</translation>
    </message>
</context><context>
    <name>WallSidePanel</name>
    <message>
        <location filename="../../../ui/supervision/wall_side_panel.py" line="51" />
        <source>Today</source>
        <translation>今日</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_side_panel.py" line="55" />
        <source>Offered</source>
        <translation>进线</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_side_panel.py" line="56" />
        <source>Answered</source>
        <translation>接通</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_side_panel.py" line="57" />
        <source>Abandoned</source>
        <translation>放弃</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_side_panel.py" line="58" />
        <source>Avg. speed of answer</source>
        <translation>平均应答时长</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_side_panel.py" line="59" />
        <source>Answered ≤ 20 s</source>
        <translation>20秒内接通</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_side_panel.py" line="60" />
        <source>Answered ≤ 60 s</source>
        <translation>60秒内接通</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_side_panel.py" line="61" />
        <source>Avg. handling time</source>
        <translation>平均处理时长</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_side_panel.py" line="62" />
        <source>Work orders closed</source>
        <translation>已结工单</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_side_panel.py" line="63" />
        <source>Users served</source>
        <translation>服务人数</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_side_panel.py" line="64" />
        <source>Avg. rating</source>
        <translation>平均满意度</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_side_panel.py" line="84" />
        <source>Queue</source>
        <translation>排队</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_side_panel.py" line="95" />
        <source>Item</source>
        <translation>事项</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_side_panel.py" line="95" />
        <source>Waiting</source>
        <translation>等待</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_side_panel.py" line="95" />
        <source>Priority</source>
        <translation>优先</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_side_panel.py" line="96" />
        <source>Link lost</source>
        <comment>a narrow column: of the waiting, those whose link dropped</comment>
        <translation>中断</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_side_panel.py" line="97" />
        <source>Longest wait</source>
        <translation>最长等待</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_side_panel.py" line="109" />
        <source>Move next citizen…</source>
        <translation>转移下一位市民…</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/wall_side_panel.py" line="154" />
        <source>Waiting %1 · priority %2 · longest wait %3</source>
        <translation>等待 %1 · 优先 %2 · 最长等待 %3</translation>
    </message>
    <message numerus="yes">
        <location filename="../../../ui/supervision/wall_side_panel.py" line="162" />
        <source>%n link lost, not offered until back</source>
        <translation>
            <numerusform>连接中断 %n 人，重新连接前不会分配</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location filename="../../../ui/supervision/wall_side_panel.py" line="197" />
        <source>%n link lost: place kept for the resume grace, not offered until back</source>
        <translation>
            <numerusform>%n 人连接中断：在重连宽限期内保留排队位置，重新连接前不会分配</numerusform>
        </translation>
    </message>
</context><context>
    <name>WatchWindow</name>
    <message>
        <location filename="../../../ui/supervision/watch_window.py" line="167" />
        <source>How loud the call is on your speaker</source>
        <translation>通话声音在您扬声器上的音量</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/watch_window.py" line="168" />
        <source>Mute listening (M)</source>
        <translation>静音监听 (M)</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/watch_window.py" line="171" />
        <source>Barge in (Ctrl+B)</source>
        <translation>插话 (Ctrl+B)</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/watch_window.py" line="242" />
        <location filename="../../../ui/supervision/watch_window.py" line="174" />
        <source>Join call (Ctrl+J)</source>
        <translation>加入通话 (Ctrl+J)</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/watch_window.py" line="177" />
        <source>Stop watching (Esc)</source>
        <translation>结束监看 (Esc)</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/watch_window.py" line="180" />
        <source>Voices</source>
        <translation>通话声音</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/watch_window.py" line="183" />
        <source>Volume</source>
        <translation>音量</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/watch_window.py" line="231" />
        <source>The watch has ended</source>
        <translation>监看已结束</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/watch_window.py" line="238" />
        <source>Watching %1</source>
        <translation>监看 %1</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/watch_window.py" line="241" />
        <source>Leave call (Ctrl+J)</source>
        <translation>退出通话 (Ctrl+J)</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/watch_window.py" line="251" />
        <source>In the call: the citizen and the agent see and hear you</source>
        <translation>通话中：群众和坐席都能看到、听到您</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/watch_window.py" line="254" />
        <source>Talking in the call: the citizen and the agent hear you</source>
        <translation>插话中：群众和坐席都能听到您</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/watch_window.py" line="257" />
        <source>Watching only: no one hears you</source>
        <translation>仅监看：群众和坐席都听不到您</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/watch_window.py" line="260" />
        <source>Your camera and microphone are live in the call</source>
        <translation>您的摄像头和麦克风已接入通话</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/watch_window.py" line="261" />
        <source>Your microphone is live in the call</source>
        <translation>您的麦克风已接入通话</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/watch_window.py" line="308" />
        <source>No microphone found: you cannot barge in</source>
        <translation>未检测到麦克风，无法插话</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/watch_window.py" line="309" />
        <source>The microphone “%1” does not work: you cannot barge in</source>
        <translation>麦克风「%1」无法使用，无法插话</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/watch_window.py" line="312" />
        <source>No speaker found: you cannot hear the call</source>
        <translation>未检测到扬声器，无法监听声音</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/watch_window.py" line="313" />
        <source>The speaker “%1” does not work: you cannot hear the call</source>
        <translation>扬声器「%1」无法使用，无法监听声音</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/watch_window.py" line="347" />
        <source>Agent %1 · watching for %2</source>
        <translation>坐席 %1 · 已监看 %2</translation>
    </message>
</context><context>
    <name>WatchedVideo</name>
    <message>
        <location filename="../../../ui/supervision/watch_window.py" line="99" />
        <source>Agent</source>
        <translation>坐席</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/watch_window.py" line="99" />
        <source>Citizen</source>
        <translation>群众</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/watch_window.py" line="104" />
        <source>The agent's camera…</source>
        <translation>坐席的画面…</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/watch_window.py" line="105" />
        <source>Connecting to the agent's workstation…</source>
        <translation>正在连接坐席工作台…</translation>
    </message>
</context><context>
    <name>WhisperBanner</name>
    <message>
        <location filename="../../../ui/supervision/whisper_banner.py" line="32" />
        <source>Got it</source>
        <translation>知道了</translation>
    </message>
    <message>
        <location filename="../../../ui/supervision/whisper_banner.py" line="47" />
        <source>Supervisor %1 (%2): %3</source>
        <translation>督导 %1（%2）：%3</translation>
    </message>
</context><context>
    <name>WorkOrderListPane</name>
    <message>
        <location filename="../../../ui/call/workorder_list_pane.py" line="63" />
        <source>Work order, item, outcome or agent</source>
        <translation>工单号、事项、结果或坐席</translation>
    </message>
    <message>
        <location filename="../../../ui/call/workorder_list_pane.py" line="64" />
        <source>Search</source>
        <translation>搜索</translation>
    </message>
    <message>
        <location filename="../../../ui/call/workorder_list_pane.py" line="71" />
        <source>Work order</source>
        <translation>工单号</translation>
    </message>
    <message>
        <location filename="../../../ui/call/workorder_list_pane.py" line="72" />
        <source>Queued</source>
        <translation>排队时间</translation>
    </message>
    <message>
        <location filename="../../../ui/call/workorder_list_pane.py" line="73" />
        <source>Item</source>
        <translation>事项</translation>
    </message>
    <message>
        <location filename="../../../ui/call/workorder_list_pane.py" line="74" />
        <source>Channel</source>
        <translation>渠道</translation>
    </message>
    <message>
        <location filename="../../../ui/call/workorder_list_pane.py" line="75" />
        <source>Agent</source>
        <translation>坐席</translation>
    </message>
    <message>
        <location filename="../../../ui/call/workorder_list_pane.py" line="76" />
        <source>Citizen</source>
        <translation>市民</translation>
    </message>
    <message>
        <location filename="../../../ui/call/workorder_list_pane.py" line="77" />
        <source>Outcome</source>
        <translation>结果</translation>
    </message>
    <message>
        <location filename="../../../ui/call/workorder_list_pane.py" line="78" />
        <source>Rating</source>
        <translation>评分</translation>
    </message>
    <message>
        <location filename="../../../ui/call/workorder_list_pane.py" line="79" />
        <source>Recording</source>
        <translation>录像</translation>
    </message>
    <message>
        <location filename="../../../ui/call/workorder_list_pane.py" line="92" />
        <source>Play recording</source>
        <translation>播放录像</translation>
    </message>
    <message>
        <location filename="../../../ui/call/workorder_list_pane.py" line="142" />
        <location filename="../../../ui/call/workorder_list_pane.py" line="124" />
        <source>Not recorded</source>
        <translation>未录像</translation>
    </message>
    <message>
        <location filename="../../../ui/call/workorder_list_pane.py" line="136" />
        <source>Recording uploaded to the hub</source>
        <translation>录音已上传到中心</translation>
    </message>
    <message>
        <location filename="../../../ui/call/workorder_list_pane.py" line="138" />
        <source>Recording past its retention period</source>
        <translation>录像已过保留期</translation>
    </message>
    <message>
        <location filename="../../../ui/call/workorder_list_pane.py" line="140" />
        <source>This recording is not on this computer</source>
        <translation>本机没有此录像</translation>
    </message>
    <message>
        <location filename="../../../ui/call/workorder_list_pane.py" line="186" />
        <source>%1 work orders%2 · average handling %3</source>
        <translation>%1 条工单%2 · 平均处理 %3</translation>
    </message>
    <message>
        <location filename="../../../ui/call/workorder_list_pane.py" line="188" />
        <source> (more not shown)</source>
        <translation>（还有更多未显示）</translation>
    </message>
</context><context>
    <name>WorkOrderPane</name>
    <message>
        <location filename="../../../ui/call/work_order_pane.py" line="39" />
        <source>Citizen</source>
        <translation>群众</translation>
    </message>
    <message>
        <location filename="../../../ui/call/work_order_pane.py" line="51" />
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../../ui/call/work_order_pane.py" line="52" />
        <source>ID number</source>
        <translation>证件号码</translation>
    </message>
    <message>
        <location filename="../../../ui/call/work_order_pane.py" line="53" />
        <source>Phone</source>
        <translation>手机</translation>
    </message>
    <message>
        <location filename="../../../ui/call/work_order_pane.py" line="54" />
        <source>Item</source>
        <translation>事项</translation>
    </message>
    <message>
        <location filename="../../../ui/call/work_order_pane.py" line="55" />
        <source>Channel</source>
        <translation>渠道</translation>
    </message>
    <message>
        <location filename="../../../ui/call/work_order_pane.py" line="56" />
        <source>Work order</source>
        <translation>工单号</translation>
    </message>
    <message>
        <location filename="../../../ui/call/work_order_pane.py" line="59" />
        <source>Wrap-up</source>
        <translation>话后整理</translation>
    </message>
    <message>
        <location filename="../../../ui/call/work_order_pane.py" line="64" />
        <source>Notes for the work order (optional)</source>
        <translation>工单备注（选填）</translation>
    </message>
    <message>
        <location filename="../../../ui/call/work_order_pane.py" line="66" />
        <source>Submit and go ready (Ctrl+Enter)</source>
        <translation>提交并就绪 (Ctrl+Enter)</translation>
    </message>
    <message>
        <location filename="../../../ui/call/work_order_pane.py" line="81" />
        <source>Closed today</source>
        <translation>今日已办结</translation>
    </message>
    <message>
        <location filename="../../../ui/call/work_order_pane.py" line="121" />
        <source>Work order %1 still needs its wrap-up (the connection was lost)</source>
        <translation>工单 %1 尚未完成话后整理（连接曾中断）</translation>
    </message>
    <message>
        <location filename="../../../ui/call/work_order_pane.py" line="126" />
        <source>%1 ended after %2:%3</source>
        <translation>%1，通话时长 %2:%3</translation>
    </message>
</context><context>
    <name>devices</name>
    <message>
        <location filename="../../../ui/devices/precheck.py" line="216" />
        <source>No camera found. You can still take voice calls; the citizen sees “The agent's camera is unavailable”.</source>
        <translation>未检测到摄像头。您仍可接听语音通话，市民会看到“坐席摄像头暂不可用”。</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/precheck.py" line="218" />
        <source>No microphone found: the citizen will not hear you. Plug in a headset.</source>
        <translation>未检测到麦克风，市民将听不到您的声音。请插入耳麦。</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/precheck.py" line="220" />
        <source>No speaker or headphones found: you will not hear the citizen.</source>
        <translation>未检测到扬声器或耳机，您将听不到市民的声音。</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/precheck.py" line="224" />
        <source>The {kind} is in use by another program. Close the program that uses it and try again.</source>
        <translation>{kind}被其他程序占用，请关闭占用{kind}的程序后重试。</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/precheck.py" line="227" />
        <source>The system refused access to the {kind}. Allow this program to use the {kind} in the system settings.</source>
        <translation>系统拒绝了{kind}权限，请在系统设置中允许本程序使用{kind}。</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/precheck.py" line="230" />
        <source>The microphone gives no sound: check that it is not muted and is plugged in, then speak into it and check again.</source>
        <translation>麦克风没有声音：请检查麦克风是否静音或插好，然后对着麦克风说话重试。</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/precheck.py" line="234" />
        <source>The camera could not be opened ({name}). The citizen sees “The agent's camera is unavailable”.</source>
        <translation>摄像头无法打开（{name}），市民会看到“坐席摄像头暂不可用”。</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/precheck.py" line="236" />
        <source>The microphone could not be opened ({name}): the citizen will not hear you.</source>
        <translation>麦克风无法打开（{name}），市民将听不到您的声音。</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/precheck.py" line="238" />
        <source>The speaker could not be opened ({name}): you will not hear the citizen.</source>
        <translation>扬声器无法打开（{name}），您将听不到市民的声音。</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/precheck.py" line="246" />
        <source>camera</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/precheck.py" line="247" />
        <source>microphone</source>
        <translation>麦克风</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/precheck.py" line="248" />
        <source>speaker</source>
        <translation>扬声器</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/precheck.py" line="256" />
        <source>No camera</source>
        <translation>无摄像头</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/precheck.py" line="257" />
        <source>No microphone</source>
        <translation>无麦克风</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/precheck.py" line="258" />
        <source>No speaker</source>
        <translation>无扬声器</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/precheck.py" line="260" />
        <source>Microphone silent</source>
        <translation>麦克风无声</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/precheck.py" line="262" />
        <source>{kind} in use</source>
        <translation>{kind}被占用</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/precheck.py" line="264" />
        <source>{kind} not allowed</source>
        <translation>{kind}无权限</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/precheck.py" line="265" />
        <source>{kind} not working</source>
        <translation>{kind}不可用</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/seat_devices.py" line="60" />
        <source>Camera</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/seat_devices.py" line="61" />
        <source>Microphone</source>
        <translation>麦克风</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/seat_devices.py" line="62" />
        <source>Speaker</source>
        <translation>扬声器</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/seat_devices.py" line="261" />
        <source>{kind} “{name}” is connected and in use</source>
        <translation>{kind}「{name}」已连接，正在使用</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/seat_devices.py" line="274" />
        <source>{kind} “{old}” was disconnected; now using “{new}”</source>
        <translation>{kind}「{old}」已断开，已改用「{new}」</translation>
    </message>
    <message>
        <location filename="../../../ui/devices/seat_devices.py" line="279" />
        <source>{kind} “{old}” was disconnected and no other is available</source>
        <translation>{kind}「{old}」已断开，没有其他可用的{kind}</translation>
    </message>
</context><context>
    <name>forms</name>
    <message>
        <location filename="../../../ui/acceptance/form_labels.py" line="37" />
        <source>Required</source>
        <translation>必填项，请填写</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/form_labels.py" line="38" />
        <source>Too long</source>
        <translation>内容过长</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/form_labels.py" line="39" />
        <source>An ID number has 18 characters: 17 digits, then a digit or X</source>
        <translation>身份证号码应为18位：前17位为数字，最后一位为数字或X</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/form_labels.py" line="41" />
        <source>The ID number's region code does not exist</source>
        <translation>身份证号码的地区代码不存在</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/form_labels.py" line="42" />
        <source>The ID number's birth date is not a valid date</source>
        <translation>身份证号码中的出生日期无效</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/form_labels.py" line="43" />
        <source>The ID number's check digit is wrong: check each digit with the citizen</source>
        <translation>身份证号码校验位不正确，请与申请人逐位核对</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/form_labels.py" line="45" />
        <source>A credit code has 18 digits or capitals (no I, O, Z, S, V)</source>
        <translation>统一社会信用代码应为18位数字或大写字母（不含I、O、Z、S、V）</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/form_labels.py" line="47" />
        <source>The credit code's check character is wrong</source>
        <translation>统一社会信用代码校验码不正确，请核对</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/form_labels.py" line="48" />
        <source>A mobile number has 11 digits and starts with 1</source>
        <translation>手机号码应为以1开头的11位数字</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/form_labels.py" line="49" />
        <source>Area code and number, e.g. 0769-22801234</source>
        <translation>请填写区号和号码，如 0769-22801234</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/form_labels.py" line="50" />
        <source>A postal code has 6 digits</source>
        <translation>邮政编码应为6位数字</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/form_labels.py" line="51" />
        <source>Choose a date</source>
        <translation>请选择日期</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/form_labels.py" line="52" />
        <source>The date cannot be after today</source>
        <translation>日期不能晚于今天</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/form_labels.py" line="53" />
        <source>The date cannot be before today</source>
        <translation>日期不能早于今天</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/form_labels.py" line="54" />
        <source>Choose both the start and the end date</source>
        <translation>请选择起止日期</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/form_labels.py" line="55" />
        <source>The end date is before the start date</source>
        <translation>结束日期不能早于开始日期</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/form_labels.py" line="56" />
        <source>The period is longer than allowed</source>
        <translation>起止日期跨度超出允许范围</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/form_labels.py" line="57" />
        <source>Choose one of the options</source>
        <translation>请从列表中选择</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/form_labels.py" line="58" />
        <source>A whole number</source>
        <translation>请填写整数</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/form_labels.py" line="59" />
        <source>The number is outside the allowed range</source>
        <translation>数值超出允许范围</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/form_labels.py" line="60" />
        <source>Choose the province, city and district</source>
        <translation>请选择省、市、区县</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/form_labels.py" line="61" />
        <source>Prefilled: confirm with the citizen</source>
        <translation>预填内容，请与申请人核对后确认</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/form_labels.py" line="65" />
        <source>The government API returned this field</source>
        <translation>政务服务接口退回此项</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/form_labels.py" line="70" />
        <source>Queued</source>
        <translation>待发送</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/form_labels.py" line="71" />
        <source>Sending</source>
        <translation>发送中</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/form_labels.py" line="72" />
        <source>Accepted</source>
        <translation>已受理</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/form_labels.py" line="73" />
        <source>Returned for correction</source>
        <translation>退回补正</translation>
    </message>
    <message>
        <location filename="../../../ui/acceptance/form_labels.py" line="74" />
        <source>Failed</source>
        <translation>失败</translation>
    </message>
</context><context>
    <name>labels</name>
    <message>
        <location filename="../../../ui/labels.py" line="49" />
        <source>Web portal</source>
        <translation>广东政务服务网</translation>
    </message>
    <message>
        <location filename="../../../ui/labels.py" line="50" />
        <source>i莞家 mini-program</source>
        <translation>i莞家小程序</translation>
    </message>
    <message>
        <location filename="../../../ui/labels.py" line="51" />
        <source>Official account</source>
        <translation>公众号</translation>
    </message>
    <message>
        <location filename="../../../ui/labels.py" line="72" />
        <location filename="../../../ui/labels.py" line="52" />
        <source>Kiosk</source>
        <translation>自助终端</translation>
    </message>
    <message>
        <location filename="../../../ui/labels.py" line="73" />
        <location filename="../../../ui/labels.py" line="53" />
        <source>Hotline</source>
        <translation>热线</translation>
    </message>
    <message>
        <location filename="../../../ui/labels.py" line="54" />
        <source>At the counter</source>
        <translation>窗口现场</translation>
    </message>
    <message>
        <location filename="../../../ui/labels.py" line="69" />
        <source>Web</source>
        <translation>网页</translation>
    </message>
    <message>
        <location filename="../../../ui/labels.py" line="70" />
        <source>Mini-program</source>
        <translation>小程序</translation>
    </message>
    <message>
        <location filename="../../../ui/labels.py" line="71" />
        <source>WeChat</source>
        <translation>公众号</translation>
    </message>
    <message>
        <location filename="../../../ui/labels.py" line="140" />
        <location filename="../../../ui/labels.py" line="122" />
        <location filename="../../../ui/labels.py" line="74" />
        <source>Counter</source>
        <translation>窗口</translation>
    </message>
    <message>
        <location filename="../../../ui/labels.py" line="84" />
        <source>Not elderly (ID checked)</source>
        <translation>核验非老年人</translation>
    </message>
    <message>
        <location filename="../../../ui/labels.py" line="87" />
        <source>Elderly (ID checked)</source>
        <translation>老年人（已核验）</translation>
    </message>
    <message>
        <location filename="../../../ui/labels.py" line="88" />
        <source>Elderly (self-declared)</source>
        <translation>自称老年人</translation>
    </message>
    <message>
        <location filename="../../../ui/labels.py" line="89" />
        <source>Disabled (checked)</source>
        <translation>残障人士（已核验）</translation>
    </message>
    <message>
        <location filename="../../../ui/labels.py" line="90" />
        <source>Disabled (self-declared)</source>
        <translation>自称残障人士</translation>
    </message>
    <message>
        <location filename="../../../ui/labels.py" line="99" />
        <source>Large text</source>
        <translation>大字版</translation>
    </message>
    <message>
        <location filename="../../../ui/labels.py" line="106" />
        <source>Sent by the citizen</source>
        <translation>群众上传</translation>
    </message>
    <message>
        <location filename="../../../ui/labels.py" line="107" />
        <source>Still from the video</source>
        <translation>视频截图</translation>
    </message>
    <message>
        <location filename="../../../ui/labels.py" line="108" />
        <source>Document camera</source>
        <translation>高拍仪</translation>
    </message>
    <message>
        <location filename="../../../ui/labels.py" line="109" />
        <source>Annotated copy</source>
        <translation>标注副本</translation>
    </message>
    <message>
        <location filename="../../../ui/labels.py" line="110" />
        <source>Electronic licence library</source>
        <translation>电子证照库</translation>
    </message>
    <message>
        <location filename="../../../ui/labels.py" line="116" />
        <source>Offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <location filename="../../../ui/labels.py" line="117" />
        <source>Ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <location filename="../../../ui/labels.py" line="118" />
        <source>Ringing</source>
        <translation>振铃</translation>
    </message>
    <message>
        <location filename="../../../ui/labels.py" line="119" />
        <source>On call</source>
        <translation>通话中</translation>
    </message>
    <message>
        <location filename="../../../ui/labels.py" line="120" />
        <source>Wrap-up</source>
        <translation>话后整理</translation>
    </message>
    <message>
        <location filename="../../../ui/labels.py" line="121" />
        <source>Away</source>
        <translation>离开</translation>
    </message>
    <message>
        <location filename="../../../ui/labels.py" line="129" />
        <source>Break</source>
        <translation>小休</translation>
    </message>
    <message>
        <location filename="../../../ui/labels.py" line="130" />
        <source>Meeting</source>
        <translation>会议</translation>
    </message>
    <message>
        <location filename="../../../ui/labels.py" line="131" />
        <source>Training</source>
        <translation>培训</translation>
    </message>
    <message>
        <location filename="../../../ui/labels.py" line="132" />
        <source>Missed calls</source>
        <translation>未接来电</translation>
    </message>
    <message>
        <location filename="../../../ui/labels.py" line="133" />
        <source>Other</source>
        <translation>其他</translation>
    </message>
    <message>
        <location filename="../../../ui/labels.py" line="139" />
        <source>Video</source>
        <translation>视频</translation>
    </message>
    <message>
        <location filename="../../../ui/labels.py" line="141" />
        <source>Combined</source>
        <translation>视频+窗口</translation>
    </message>
    <message>
        <location filename="../../../ui/labels.py" line="147" />
        <source>Question answered</source>
        <translation>咨询已解答</translation>
    </message>
    <message>
        <location filename="../../../ui/labels.py" line="148" />
        <source>Guided through the form</source>
        <translation>指导办理</translation>
    </message>
    <message>
        <location filename="../../../ui/labels.py" line="149" />
        <source>Materials pre-reviewed</source>
        <translation>材料预审</translation>
    </message>
    <message>
        <location filename="../../../ui/labels.py" line="150" />
        <source>Application accepted</source>
        <translation>业务受理</translation>
    </message>
    <message>
        <location filename="../../../ui/labels.py" line="151" />
        <source>Counter appointment booked</source>
        <translation>已代预约</translation>
    </message>
    <message>
        <location filename="../../../ui/labels.py" line="152" />
        <source>Transferred</source>
        <translation>转办</translation>
    </message>
    <message>
        <location filename="../../../ui/labels.py" line="153" />
        <source>Unresolved</source>
        <translation>未解决</translation>
    </message>
    <message>
        <location filename="../../../ui/labels.py" line="154" />
        <source>Call dropped</source>
        <translation>通话中断</translation>
    </message>
    <message>
        <location filename="../../../ui/labels.py" line="155" />
        <source>Abandoned</source>
        <translation>放弃排队</translation>
    </message>
    <message>
        <location filename="../../../ui/labels.py" line="176" />
        <source>The hub's certificate is not from a trusted CA (check the ca_file setting)</source>
        <translation>服务端证书不是受信任的证书颁发机构签发的（请检查 ca_file 设置）</translation>
    </message>
    <message>
        <location filename="../../../ui/labels.py" line="178" />
        <source>The hub's certificate is for another address</source>
        <translation>服务端证书与所连接的地址不符</translation>
    </message>
    <message>
        <location filename="../../../ui/labels.py" line="180" />
        <source>The hub's certificate has expired or is not valid yet (check the clock)</source>
        <translation>服务端证书已过期或尚未生效（请检查本机时间）</translation>
    </message>
    <message>
        <location filename="../../../ui/labels.py" line="182" />
        <source>No secure connection to the hub</source>
        <translation>无法与服务端建立安全连接</translation>
    </message>
</context><context>
    <name>review</name>
    <message>
        <location filename="../../../ui/review/checklist.py" line="39" />
        <source>Not reviewed</source>
        <translation>未审核</translation>
    </message>
    <message>
        <location filename="../../../ui/review/checklist.py" line="40" />
        <source>Accepted</source>
        <translation>通过</translation>
    </message>
    <message>
        <location filename="../../../ui/review/checklist.py" line="41" />
        <source>To correct</source>
        <translation>需补正</translation>
    </message>
    <message>
        <location filename="../../../ui/review/checklist.py" line="42" />
        <source>Missing</source>
        <translation>缺失</translation>
    </message>
    <message>
        <location filename="../../../ui/review/tools.py" line="34" />
        <source>Select</source>
        <translation>选择</translation>
    </message>
    <message>
        <location filename="../../../ui/review/tools.py" line="35" />
        <source>Rectangle</source>
        <translation>矩形</translation>
    </message>
    <message>
        <location filename="../../../ui/review/tools.py" line="36" />
        <source>Ellipse</source>
        <translation>椭圆</translation>
    </message>
    <message>
        <location filename="../../../ui/review/tools.py" line="37" />
        <source>Arrow</source>
        <translation>箭头</translation>
    </message>
    <message>
        <location filename="../../../ui/review/tools.py" line="38" />
        <source>Pen</source>
        <translation>画笔</translation>
    </message>
    <message>
        <location filename="../../../ui/review/tools.py" line="39" />
        <source>Text</source>
        <translation>文字</translation>
    </message>
    <message>
        <location filename="../../../ui/review/tools.py" line="40" />
        <source>Highlighter</source>
        <translation>荧光笔</translation>
    </message>
    <message>
        <location filename="../../../ui/review/tools.py" line="41" />
        <source>Mosaic</source>
        <translation>马赛克</translation>
    </message>
</context></TS>
