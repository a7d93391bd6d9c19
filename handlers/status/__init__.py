"""Status by chat command (issue 7): /trangthai for officers; /thongke, /chuabaocao,
/hanbaocao and /xuat for staff. The figures and texts come from `bot.status`."""
