<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<!-- The counter-side SKM survey screen: Bahasa Indonesia. Source text is English; the context is
     SurveyScreen. The nine elements and their answers come from antrian.domain.survey (both languages).
     tests/ui/test_survey_screen.py checks that every string has a translation here. -->
<TS version="2.1" language="id_ID" sourcelanguage="en">
<context>
    <name>SurveyScreen</name>
    <message>
        <source>Your answers could not be saved. Thank you all the same.</source>
        <translation>Jawaban Anda tidak dapat disimpan. Terima kasih atas kesediaan Anda.</translation>
    </message>
    <message>
        <source>Citizen Satisfaction Survey</source>
        <translation>Survei Kepuasan Masyarakat</translation>
    </message>
    <message>
        <source>Citizen Satisfaction Survey (SKM) - Counter {counter} - {hall}</source>
        <translation>Survei Kepuasan Masyarakat (SKM) - Loket {counter} - {hall}</translation>
    </message>
    <message>
        <source>Would you answer nine short questions about our service? It takes one minute and asks for no personal data.</source>
        <translation>Bersediakah Anda menjawab sembilan pertanyaan singkat tentang pelayanan kami? Hanya satu menit, tanpa data pribadi.</translation>
    </message>
    <message>
        <source>Yes, answer the survey</source>
        <translation>Ya, isi survei</translation>
    </message>
    <message>
        <source>No, thank you</source>
        <translation>Tidak, terima kasih</translation>
    </message>
    <message>
        <source>After your service at counter {counter}, please tell us how it went.</source>
        <translation>Setelah dilayani di loket {counter}, mohon beri tahu kami pendapat Anda.</translation>
    </message>
    <message>
        <source>Back</source>
        <translation>Kembali</translation>
    </message>
    <message>
        <source>Number {number} has been served</source>
        <translation>Nomor {number} telah selesai dilayani</translation>
    </message>
    <message>
        <source>About you (optional)</source>
        <translation>Tentang Anda (tidak wajib)</translation>
    </message>
    <message>
        <source>Tap what fits, or send straight away. No name, number or NIK is asked.</source>
        <translation>Sentuh yang sesuai, atau langsung kirim. Nama, nomor telepon dan NIK tidak ditanyakan.</translation>
    </message>
    <message>
        <source>Suggestion (optional)</source>
        <translation>Saran (tidak wajib)</translation>
    </message>
    <message>
        <source>Send</source>
        <translation>Kirim</translation>
    </message>
    <message>
        <source>Question {n} of {total}</source>
        <translation>Pertanyaan {n} dari {total}</translation>
    </message>
    <message>
        <source>Age</source>
        <translation>Usia</translation>
    </message>
    <message>
        <source>Sex</source>
        <translation>Jenis kelamin</translation>
    </message>
    <message>
        <source>Education</source>
        <translation>Pendidikan</translation>
    </message>
    <message>
        <source>Occupation</source>
        <translation>Pekerjaan</translation>
    </message>
    <message>
        <source>Thank you!</source>
        <translation>Terima kasih!</translation>
    </message>
    <message>
        <source>Your answers help us serve you better.</source>
        <translation>Jawaban Anda membantu kami melayani lebih baik.</translation>
    </message>
    <message>
        <source>Complaints about public services: SP4N-LAPOR! {url}</source>
        <translation>Pengaduan pelayanan publik: SP4N-LAPOR! {url}</translation>
    </message>
</context>
</TS>
