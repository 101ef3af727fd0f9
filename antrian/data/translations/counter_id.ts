<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<!-- Counter window and supervisor monitor: Bahasa Indonesia. Source text is English (self.tr);
     contexts are the class names. Written by hand; tests/ui/test_counter.py checks that every
     string in the code has a translation here. -->
<TS version="2.1" language="id_ID" sourcelanguage="en">
<context>
    <name>ErrorText</name>
    <message>
        <source>waiting</source>
        <translation>menunggu</translation>
    </message>
    <message>
        <source>called</source>
        <translation>dipanggil</translation>
    </message>
    <message>
        <source>being served</source>
        <translation>sedang dilayani</translation>
    </message>
    <message>
        <source>parked</source>
        <translation>ditunda</translation>
    </message>
    <message>
        <source>finished</source>
        <translation>selesai</translation>
    </message>
    <message>
        <source>absent</source>
        <translation>tidak hadir</translation>
    </message>
    <message>
        <source>cancelled</source>
        <translation>dibatalkan</translation>
    </message>
    <message>
        <source>transferred</source>
        <translation>dialihkan</translation>
    </message>
    <message>
        <source>expired</source>
        <translation>kedaluwarsa</translation>
    </message>
    <message>
        <source>Serving</source>
        <translation>Melayani</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>Buka</translation>
    </message>
    <message>
        <source>Paused</source>
        <translation>Istirahat</translation>
    </message>
    <message>
        <source>Closed</source>
        <translation>Tutup</translation>
    </message>
    <message>
        <source>The database cannot be reached. Nothing was saved; try again in a moment.</source>
        <translation>Database tidak dapat dihubungi. Tidak ada yang tersimpan; coba lagi sebentar lagi.</translation>
    </message>
    <message>
        <source>Unexpected error: {error}</source>
        <translation>Kesalahan tak terduga: {error}</translation>
    </message>
    <message>
        <source>Nobody is waiting for this counter.</source>
        <translation>Tidak ada antrean untuk loket ini.</translation>
    </message>
    <message>
        <source>This counter still has a ticket open: finish it, mark it absent, park or transfer it first.</source>
        <translation>Loket ini masih punya tiket yang terbuka: selesaikan, tandai tidak hadir, tunda, atau alihkan dulu.</translation>
    </message>
    <message>
        <source>This counter is not open.</source>
        <translation>Loket ini belum dibuka.</translation>
    </message>
    <message>
        <source>No ticket is called at this counter.</source>
        <translation>Tidak ada tiket yang dipanggil di loket ini.</translation>
    </message>
    <message>
        <source>Ticket {number} is {status}; that is not possible now.</source>
        <translation>Tiket {number} berstatus {status}; tindakan ini tidak bisa dilakukan sekarang.</translation>
    </message>
    <message>
        <source>That is not possible for this ticket now.</source>
        <translation>Tindakan ini tidak bisa dilakukan untuk tiket ini sekarang.</translation>
    </message>
    <message>
        <source>{number} was already called again {count} times; mark it absent.</source>
        <translation>{number} sudah dipanggil ulang {count} kali; tandai tidak hadir.</translation>
    </message>
    <message>
        <source>No ticket {ref} today.</source>
        <translation>Tidak ada tiket {ref} hari ini.</translation>
    </message>
    <message>
        <source>'{text}' is not a ticket number (like K-012) or a ticket QR code.</source>
        <translation>'{text}' bukan nomor antrean (seperti K-012) atau kode QR tiket.</translation>
    </message>
    <message>
        <source>Unknown user '{username}'.</source>
        <translation>Pengguna '{username}' tidak dikenal.</translation>
    </message>
    <message>
        <source>Wrong PIN. {left} attempts left before the account is locked.</source>
        <translation>PIN salah. Sisa {left} kali percobaan sebelum akun dikunci.</translation>
    </message>
    <message>
        <source>Account locked until {until} (too many wrong PINs).</source>
        <translation>Akun terkunci sampai {until} (terlalu banyak PIN salah).</translation>
    </message>
    <message>
        <source>This account is disabled. Ask an administrator.</source>
        <translation>Akun ini dinonaktifkan. Hubungi administrator.</translation>
    </message>
    <message>
        <source>This needs a supervisor or admin account.</source>
        <translation>Fitur ini memerlukan akun supervisor atau admin.</translation>
    </message>
    <message>
        <source>Unknown counter {counter}.</source>
        <translation>Loket {counter} tidak dikenal.</translation>
    </message>
    <message>
        <source>Choose a service or a counter to send the ticket to.</source>
        <translation>Pilih layanan atau loket tujuan tiket.</translation>
    </message>
    <message>
        <source>{m} min</source>
        <translation>{m} mnt</translation>
    </message>
    <message>
        <source>{h} h {m} min</source>
        <translation>{h} jam {m} mnt</translation>
    </message>
    <message>
        <source>The database is busy, try again. Nothing was saved.</source>
        <translation>Basis data sibuk, coba lagi. Belum ada yang tersimpan.</translation>
    </message>
    <message>
        <source>Another station changed this at the same moment. Nothing was saved; try again.</source>
        <translation>Stasiun lain mengubah data ini pada saat yang sama. Belum ada yang tersimpan; coba lagi.</translation>
    </message>
    <message>
        <source>This PC's clock jumped {days} days ahead ({day}; last service day {last_day}). Nothing was saved: fix the clock, or a supervisor starts the new day.</source>
        <translation>Jam PC ini melompat {days} hari ke depan ({day}; hari layanan terakhir {last_day}). Belum ada yang tersimpan: betulkan jam, atau supervisor memulai hari baru.</translation>
    </message>
    <message>
        <source>{s} s</source>
        <translation>{s} dtk</translation>
    </message>
    <message>
        <source>This PC's clock is {diff} ahead of the server's</source>
        <translation>Jam PC ini {diff} lebih cepat dari jam server</translation>
    </message>
    <message>
        <source>This PC's clock is {diff} behind the server's</source>
        <translation>Jam PC ini {diff} lebih lambat dari jam server</translation>
    </message>
    <message>
        <source>(PC {station}, server {server}); the server's time is used. Correct this PC's clock.</source>
        <translation>(PC {station}, server {server}); waktu server yang dipakai. Betulkan jam PC ini.</translation>
    </message>
    <message>
        <source>Booking {time}</source>
        <translation>Booking {time}</translation>
    </message>
</context>
<context>
    <name>LoginPage</name>
    <message>
        <source>Supervisor monitor</source>
        <translation>Monitor supervisor</translation>
    </message>
    <message>
        <source>Counter login</source>
        <translation>Masuk loket</translation>
    </message>
    <message>
        <source>Username</source>
        <translation>Nama pengguna</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>e.g. budi</source>
        <translation>mis. budi</translation>
    </message>
    <message>
        <source>4-8 digits</source>
        <translation>4-8 angka</translation>
    </message>
    <message>
        <source>Log in</source>
        <translation>Masuk</translation>
    </message>
    <message>
        <source>Enter</source>
        <translation>Enter</translation>
    </message>
    <message>
        <source>Enter your username.</source>
        <translation>Isi nama pengguna Anda.</translation>
    </message>
    <message>
        <source>Enter your PIN (4-8 digits).</source>
        <translation>Isi PIN Anda (4-8 angka).</translation>
    </message>
    <message>
        <source>Checking...</source>
        <translation>Memeriksa...</translation>
    </message>
</context>
<context>
    <name>CounterPicker</name>
    <message>
        <source>Choose your counter</source>
        <translation>Pilih loket Anda</translation>
    </message>
    <message>
        <source>The counter opens for calling when you choose it.</source>
        <translation>Loket langsung dibuka untuk pemanggilan setelah dipilih.</translation>
    </message>
    <message>
        <source>Open this counter</source>
        <translation>Buka loket ini</translation>
    </message>
    <message>
        <source>Enter</source>
        <translation>Enter</translation>
    </message>
</context>
<context>
    <name>OpenTicketDialog</name>
    <message>
        <source>{number} is still open ({status}). What should happen to it first?</source>
        <translation>{number} masih terbuka ({status}). Pilih dulu tindakan untuk tiket ini:</translation>
    </message>
    <message>
        <source>Then the call goes ahead.</source>
        <translation>Setelah itu panggilan dilanjutkan.</translation>
    </message>
    <message>
        <source>Finish</source>
        <translation>Selesai</translation>
    </message>
    <message>
        <source>Absent</source>
        <translation>Tidak hadir</translation>
    </message>
    <message>
        <source>Park</source>
        <translation>Tunda</translation>
    </message>
    <message>
        <source>Do not call yet</source>
        <translation>Jangan panggil dulu</translation>
    </message>
</context>
<context>
    <name>TransferDialog</name>
    <message>
        <source>Choose a service...</source>
        <translation>Pilih layanan...</translation>
    </message>
    <message>
        <source>Choose a counter...</source>
        <translation>Pilih loket...</translation>
    </message>
    <message>
        <source>Transfer {number} to:</source>
        <translation>Alihkan {number} ke:</translation>
    </message>
    <message>
        <source>Another service (any counter that serves it)</source>
        <translation>Layanan lain (loket mana pun yang melayaninya)</translation>
    </message>
    <message>
        <source>A named counter</source>
        <translation>Loket tertentu</translation>
    </message>
    <message>
        <source>The ticket keeps its number and its place by arrival time.</source>
        <translation>Tiket tetap memakai nomornya dan urutannya menurut waktu kedatangan.</translation>
    </message>
    <message>
        <source>Transfer</source>
        <translation>Alihkan</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Batal</translation>
    </message>
</context>
<context>
    <name>ReasonDialog</name>
    <message>
        <source>Pause this counter. Waiting tickets stay in the queue.</source>
        <translation>Istirahatkan loket ini. Tiket yang menunggu tetap dalam antrean.</translation>
    </message>
    <message>
        <source>Break</source>
        <translation>Istirahat</translation>
    </message>
    <message>
        <source>Prayer</source>
        <translation>Salat</translation>
    </message>
    <message>
        <source>Lunch</source>
        <translation>Makan siang</translation>
    </message>
    <message>
        <source>Meeting</source>
        <translation>Rapat</translation>
    </message>
    <message>
        <source>Other (type below)</source>
        <translation>Lainnya (ketik di bawah)</translation>
    </message>
    <message>
        <source>Pause</source>
        <translation>Istirahat</translation>
    </message>
    <message>
        <source>Cancel ticket {number}? Give a reason:</source>
        <translation>Batalkan tiket {number}? Tuliskan alasannya:</translation>
    </message>
    <message>
        <source>e.g. documents incomplete, left the hall</source>
        <translation>mis. berkas tidak lengkap, sudah meninggalkan gedung</translation>
    </message>
    <message>
        <source>Cancel ticket</source>
        <translation>Batalkan tiket</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Kembali</translation>
    </message>
</context>
<context>
    <name>CounterPanel</name>
    <message>
        <source>{number} has not been called again yet. Call again first (F2), or mark absent now?</source>
        <translation>{number} belum dipanggil ulang. Panggil ulang dulu (F2), atau tandai tidak hadir sekarang?</translation>
    </message>
    <message>
        <source>Mark absent</source>
        <translation>Tandai tidak hadir</translation>
    </message>
    <message>
        <source>{number} marked absent. If the citizen comes back within {minutes} min, type {number} and press Enter to call it again.</source>
        <translation>{number} ditandai tidak hadir. Jika warga kembali dalam {minutes} menit, ketik {number} lalu tekan Enter untuk memanggilnya lagi.</translation>
    </message>
    <message>
        <source>Call next</source>
        <translation>Panggil</translation>
    </message>
    <message>
        <source>Call again</source>
        <translation>Panggil ulang</translation>
    </message>
    <message>
        <source>Start serving</source>
        <translation>Mulai layani</translation>
    </message>
    <message>
        <source>Finish</source>
        <translation>Selesai</translation>
    </message>
    <message>
        <source>Absent</source>
        <translation>Tidak hadir</translation>
    </message>
    <message>
        <source>Transfer</source>
        <translation>Alihkan</translation>
    </message>
    <message>
        <source>Park</source>
        <translation>Tunda</translation>
    </message>
    <message>
        <source>Resume</source>
        <translation>Lanjutkan</translation>
    </message>
    <message>
        <source>Break</source>
        <translation>Istirahat</translation>
    </message>
    <message>
        <source>Open counter</source>
        <translation>Buka loket</translation>
    </message>
    <message>
        <source>Close counter</source>
        <translation>Tutup loket</translation>
    </message>
    <message>
        <source>Log out</source>
        <translation>Keluar</translation>
    </message>
    <message>
        <source>Space</source>
        <translation>Spasi</translation>
    </message>
    <message>
        <source>{counter} - {agency}</source>
        <translation>{counter} - {agency}</translation>
    </message>
    <message>
        <source>Type a number (e.g. K-012) or scan the ticket's QR code</source>
        <translation>Ketik nomor (mis. K-012) atau pindai kode QR tiket</translation>
    </message>
    <message>
        <source>Call number</source>
        <translation>Panggil nomor</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>Menunggu</translation>
    </message>
    <message>
        <source>Next in line</source>
        <translation>Antrean berikutnya</translation>
    </message>
    <message>
        <source>Parked tickets</source>
        <translation>Tiket ditunda</translation>
    </message>
    <message>
        <source>Call back</source>
        <translation>Panggil kembali</translation>
    </message>
    <message>
        <source>OFFLINE: the database cannot be reached. Retrying by itself; actions are not saved until the connection is back.</source>
        <translation>OFFLINE: database tidak dapat dihubungi. Menyambung ulang otomatis; tindakan belum tersimpan sampai koneksi pulih.</translation>
    </message>
    <message>
        <source>Officer: {name} ({username})  |  Counter: {status}</source>
        <translation>Petugas: {name} ({username})  |  Loket: {status}</translation>
    </message>
    <message>
        <source>No ticket called</source>
        <translation>Belum ada tiket dipanggil</translation>
    </message>
    <message>
        <source>Loading...</source>
        <translation>Memuat...</translation>
    </message>
    <message>
        <source>Press F1 or Space to call the next ticket.</source>
        <translation>Tekan F1 atau Spasi untuk memanggil antrean berikutnya.</translation>
    </message>
    <message>
        <source>Being served</source>
        <translation>Sedang dilayani</translation>
    </message>
    <message>
        <source>Called</source>
        <translation>Dipanggil</translation>
    </message>
    <message>
        <source>(transferred)</source>
        <translation>(dialihkan)</translation>
    </message>
    <message>
        <source>Priority: {group}</source>
        <translation>Prioritas: {group}</translation>
    </message>
    <message>
        <source>Called again {n} times</source>
        <translation>Dipanggil ulang {n} kali</translation>
    </message>
    <message>
        <source>Nobody is waiting</source>
        <translation>Tidak ada yang menunggu</translation>
    </message>
    <message>
        <source>Waited</source>
        <translation>Lama menunggu</translation>
    </message>
    <message>
        <source>Serving for</source>
        <translation>Lama dilayani</translation>
    </message>
    <message>
        <source>Called for</source>
        <translation>Sejak dipanggil</translation>
    </message>
    <message>
        <source>Called {number} again.</source>
        <translation>{number} dipanggil ulang.</translation>
    </message>
    <message>
        <source>Serving {number}.</source>
        <translation>Melayani {number}.</translation>
    </message>
    <message>
        <source>{number} finished.</source>
        <translation>{number} selesai.</translation>
    </message>
    <message>
        <source>{number} marked absent.</source>
        <translation>{number} ditandai tidak hadir.</translation>
    </message>
    <message>
        <source>{number} parked.</source>
        <translation>{number} ditunda.</translation>
    </message>
    <message>
        <source>Calling {number} ({service}).</source>
        <translation>Memanggil {number} ({service}).</translation>
    </message>
    <message>
        <source>{number} transferred to {where}.</source>
        <translation>{number} dialihkan ke {where}.</translation>
    </message>
    <message>
        <source>Counter open again.</source>
        <translation>Loket dibuka kembali.</translation>
    </message>
    <message>
        <source>Counter paused: {reason}.</source>
        <translation>Loket istirahat: {reason}.</translation>
    </message>
    <message>
        <source>Counter open.</source>
        <translation>Loket dibuka.</translation>
    </message>
    <message>
        <source>Finish or transfer {number} before closing the counter.</source>
        <translation>Selesaikan atau alihkan {number} sebelum menutup loket.</translation>
    </message>
    <message>
        <source>Close {counter}? Waiting tickets stay in the queue for other counters.</source>
        <translation>Tutup {counter}? Tiket yang menunggu tetap dalam antrean untuk loket lain.</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Kembali</translation>
    </message>
    <message>
        <source>Counter closed.</source>
        <translation>Loket ditutup.</translation>
    </message>
    <message>
        <source>Log out? An open counter is paused until someone logs in again.</source>
        <translation>Keluar? Loket yang sedang buka diistirahatkan sampai ada petugas yang masuk lagi.</translation>
    </message>
</context>
<context>
    <name>CounterWindow</name>
    <message>
        <source>Counter - {hall}</source>
        <translation>Loket - {hall}</translation>
    </message>
</context>
<context>
    <name>MonitorPanel</name>
    <message>
        <source>Queue</source>
        <translation>Antrean</translation>
    </message>
    <message>
        <source>Alerts</source>
        <translation>Peringatan</translation>
    </message>
    <message>
        <source>Alerts ({n})</source>
        <translation>Peringatan ({n})</translation>
    </message>
    <message>
        <source>Reports</source>
        <translation>Laporan</translation>
    </message>
    <message>
        <source>Offline (no heartbeat)</source>
        <translation>Offline (tidak ada kabar)</translation>
    </message>
    <message>
        <source>Monitor - {hall}</source>
        <translation>Monitor - {hall}</translation>
    </message>
    <message>
        <source>Supervisor: {name} ({role})</source>
        <translation>Supervisor: {name} ({role})</translation>
    </message>
    <message>
        <source>Counters</source>
        <translation>Loket</translation>
    </message>
    <message>
        <source>Counter</source>
        <translation>Loket</translation>
    </message>
    <message>
        <source>Agency</source>
        <translation>Instansi</translation>
    </message>
    <message>
        <source>State</source>
        <translation>Status</translation>
    </message>
    <message>
        <source>Ticket</source>
        <translation>Tiket</translation>
    </message>
    <message>
        <source>Officer</source>
        <translation>Petugas</translation>
    </message>
    <message>
        <source>Waiting per agency and service</source>
        <translation>Antrean per instansi dan layanan</translation>
    </message>
    <message>
        <source>Agency / service</source>
        <translation>Instansi / layanan</translation>
    </message>
    <message>
        <source>Waiting</source>
        <translation>Menunggu</translation>
    </message>
    <message>
        <source>Priority</source>
        <translation>Prioritas</translation>
    </message>
    <message>
        <source>Longest wait</source>
        <translation>Tunggu terlama</translation>
    </message>
    <message>
        <source>Target</source>
        <translation>Target</translation>
    </message>
    <message>
        <source>Waiting tickets (red: past the service's target wait)</source>
        <translation>Tiket menunggu (merah: melewati target waktu tunggu layanan)</translation>
    </message>
    <message>
        <source>Service</source>
        <translation>Layanan</translation>
    </message>
    <message>
        <source>Waiting for</source>
        <translation>Lama menunggu</translation>
    </message>
    <message>
        <source>Transfer the counter's ticket</source>
        <translation>Alihkan tiket loket</translation>
    </message>
    <message>
        <source>Close the counter</source>
        <translation>Tutup loket</translation>
    </message>
    <message>
        <source>Cancel the selected ticket</source>
        <translation>Batalkan tiket terpilih</translation>
    </message>
    <message>
        <source>Log out</source>
        <translation>Keluar</translation>
    </message>
    <message>
        <source>OFFLINE: the database cannot be reached. Retrying by itself; what you see may be out of date.</source>
        <translation>OFFLINE: database tidak dapat dihubungi. Menyambung ulang otomatis; data yang tampil mungkin sudah tidak terbaru.</translation>
    </message>
    <message>
        <source>{number} transferred.</source>
        <translation>{number} dialihkan.</translation>
    </message>
    <message>
        <source>{number} cancelled.</source>
        <translation>{number} dibatalkan.</translation>
    </message>
    <message>
        <source>Close {counter}? Its ticket {number} goes back to the queue.</source>
        <translation>Tutup {counter}? Tiketnya, {number}, dikembalikan ke antrean.</translation>
    </message>
    <message>
        <source>Close {counter}?</source>
        <translation>Tutup {counter}?</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Kembali</translation>
    </message>
    <message>
        <source>{counter} closed.</source>
        <translation>{counter} ditutup.</translation>
    </message>
</context>
<context>
    <name>MonitorWindow</name>
    <message>
        <source>Monitor - {hall}</source>
        <translation>Monitor - {hall}</translation>
    </message>
</context>
<context>
    <name>ClockBanner</name>
    <message>
        <source>Start a new day (supervisor)</source>
        <translation>Mulai hari baru (supervisor)</translation>
    </message>
    <message>
        <source>This PC's clock jumped {days} days: it says {day}, the last service day was {last_day}. Nothing is saved until the clock is fixed or a supervisor starts a new day.</source>
        <translation>Jam PC ini melompat {days} hari: menunjukkan {day}, hari layanan terakhir {last_day}. Tidak ada yang tersimpan sampai jam dibetulkan atau supervisor memulai hari baru.</translation>
    </message>
    <message>
        <source>A supervisor confirms that today is {day}: the open tickets of earlier days expire.</source>
        <translation>Supervisor memastikan bahwa hari ini tanggal {day}: tiket yang masih terbuka dari hari sebelumnya kedaluwarsa.</translation>
    </message>
</context>
<context>
    <name>SupervisorDialog</name>
    <message>
        <source>Supervisor login</source>
        <translation>Login supervisor</translation>
    </message>
    <message>
        <source>Supervisor username</source>
        <translation>Nama pengguna supervisor</translation>
    </message>
    <message>
        <source>Start the new day</source>
        <translation>Mulai hari baru</translation>
    </message>
    <message>
        <source>Enter a supervisor's username and PIN.</source>
        <translation>Masukkan nama pengguna dan PIN supervisor.</translation>
    </message>
    <message>
        <source>PIN</source>
        <translation>PIN</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Kembali</translation>
    </message>
</context>
</TS>
