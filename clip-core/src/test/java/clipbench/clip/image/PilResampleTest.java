package clipbench.clip.image;

import clipbench.api.image.RgbImage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import clipbench.clip.image.PilResample.Filter;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class PilResampleTest {

    /**
     * Pillow 12.3.0 output of {@code lcg(w, h, seed).resize((dw, dh), filter)} where {@code lcg}
     * fills the RGB bytes from the C-library LCG ({@code s = s * 1103515245 + 12345 mod 2^31},
     * byte = {@code (s >> 16) & 0xff}): base64 of the pixels for small outputs, SHA-256 for large.
     * Random noise exercises the negative lobes and the clipping of BICUBIC and LANCZOS.
     * Generated with:
     * <pre>
     * im = Image.frombytes("RGB", (w, h), lcg_bytes(w, h, seed))
     * out = im.resize((dw, dh), getattr(Image.Resampling, filter)).tobytes()
     * </pre>
     */
    private static final String PILLOW_FIXTURES = """
        7 5 1 3 2 NEAREST Z2aHPFnq0oWheE0N2uSGbU7/
        7 5 1 3 2 BOX g056iHeojW97YKQ5v6NpbIiT
        7 5 1 3 2 BILINEAR h2J7iX2wiGKIgIlErZWFdISE
        7 5 1 3 2 HAMMING glqChX25lGKHd448u6KEcYWP
        7 5 1 3 2 BICUBIC il99h3+2hl+JfYtAtJSCcYaC
        7 5 1 3 2 LANCZOS jmB7h4G7g12JfYo8tZCDboiB
        7 5 1 11 9 NEAREST xn6Bxn6Ba0v74vtU4vtU9r3ffBzhfBzhhwG/Md5WMd5Wxn6Bxn6Ba0v74vtU4vtU9r3ffBzhfBzhhwG/Md5WMd5Wcg9Hcg9HZ2aHWaqIWaqIPFnqVhN7VhN70oWh2DxU2DxUcg9Hcg9HZ2aHWaqIWaqIPFnqVhN7VhN70oWh2DxU2DxUVS83VS83rmVb2gJ52gJ5mMzjGnaOGnaOX9mZjx8/jx8/Nu5DNu5DeE0N+r6m+r6m2uSGjtwpjtwpbU7/VuFwVuFwNu5DNu5DeE0N+r6m+r6m2uSGjtwpjtwpbU7/VuFwVuFwIPuPIPuPsVgFkMUJkMUJ3FPNqjtIqjtImVLTUp0GUp0GIPuPIPuPsVgFkMUJkMUJ3FPNqjtIqjtImVLTUp0GUp0G
        7 5 1 11 9 BOX xn6Bxn6Ba0v74vtU4vtU9r3ffBzhfBzhhwG/Md5WMd5Wxn6Bxn6Ba0v74vtU4vtU9r3ffBzhfBzhhwG/Md5WMd5Wcg9Hcg9HZ2aHWaqIWaqIPFnqVhN7VhN70oWh2DxU2DxUcg9Hcg9HZ2aHWaqIWaqIPFnqVhN7VhN70oWh2DxU2DxUVS83VS83rmVb2gJ52gJ5mMzjGnaOGnaOX9mZjx8/jx8/Nu5DNu5DeE0N+r6m+r6m2uSGjtwpjtwpbU7/VuFwVuFwNu5DNu5DeE0N+r6m+r6m2uSGjtwpjtwpbU7/VuFwVuFwIPuPIPuPsVgFkMUJkMUJ3FPNqjtIqjtImVLTUp0GUp0GIPuPIPuPsVgFkMUJkMUJ3FPNqjtIqjtImVLTUp0GUp0G
        7 5 1 11 9 BILINEAR xn6BnWe4dlvswsuC6eSH9r3fqFfgfxXYhgPCWHqGMd5WqllujVeccWHKoLqEtceTuJzjiknMfR+8nCu2gnCBaahVextNcjxtaGqSaJ2HX5eoUWTpVzGqeS+OwG6ix2B5xU5UZR1AdD9XiGV1j2F+gnCnZYznS1unV1yKlqGbrGdwuC9LVS83fUhHslxezh1xwkugmMzjSJWtLZGRWdCYeXRojx8/RJk+Znw3mFk502V32pOdvdmvfr53XqV3Zo/Ha4uRb4taNO9LVqYuiVgZ0KBv58eS2tSOrM5QiahkdVroYpqoVtlkJ/d2Xa1DoF4MrqQvwqxp24O1tnhpmmhqjVTTbId9U7QpIPuPYrFQrmIFmacIrJxQ3FPNvER4pUFum1DGcntjUp0G
        7 5 1 11 9 HAMMING xn6BomqxbE351+pk5u5y9r3flj7hfRnehwG/U4d/Md5WuGt3mWCja1Hmwt5qzeB516zhijnUeBrOkxe6aX99TcNWcxFIbzJhZ2eJXKSIVZqcP1rqUSKUYh6A0IKh1Fpy1j5UZxtBcjhWgWZ3iGuBgHGYXoTnRkiYSkOFpqOetF9svTFMVS83eERFrmRb1gx2zC2QmMzjNYigIYCPXtiZfGhjjx8/Qqc/X4c3jVYr5HWL5I2Zwdupd75iZLFcZ4LYapCOa5leNu5EUK4vek4P7LOV8sae2uKHntw+i8w+bk/8X6anVuBvJPmCV7lRqFcHorohrrFF3GvBsVpdo1VRklHZa4ZlU6gYIPuPWbtYsVkFk7sJoK0z3FPNtUBkqD1VmVLSbn9XUp0G
        7 5 1 11 9 BICUBIC 04x8nmTDb1H/y9py//9y/8XerVXveAHkhADISoSBHf1PtV9qjlKkaVvZo814xOKGwJ3iij/VegvCnyG7fXd+Xb1QexFIcTNqY2yTYa6CVaKpRlzpSx2meCOFy3Ok1mJ4zkdQXwQ4cjNRimtzi1Z4dmOsU4LtM0moSlSBnbiXv2NpyQ9DTys0eEtEtGFe1wtrzUGimMzjPJSuH4uNWdqbf3FlkhI5PqI4Xn8tmFQz6FSB9JKtwuqpeNhnULJuXJHSZoyZa5FYLv9OS6onhE0P26V7+Nak3dqHr+E2ia9Wc0v5Xpy0Ue9gHP+DV7JHpFUDq7Alwrlp3ny2vG9enl9fkErgaYh8Tb4eFP+gYLNZuFoAkLIAoqRJ3EfTwS53pzJloE7PcH1bTJwA
        7 5 1 11 9 LANCZOS 3Zh1nF/PcFD/ydBy//9i/83drWD6dADpfQDMQ4p9Ef9MvGZli0qrZF3amdN5xu1/vprhiDrYfgbAoxu/g3x+W8ZOfxdHcS5tYXCVYriAWq6rS13oShSnfCSCymyn12h7xkxNVgAzcCxMkHBthkpxaFSzQnj0IDWsQld4nsyO0WJk1wA7TSc0c1JFuF5d2gRn0kKnmMzjN5WvGouLVd2chXRmkgk2QqU2VoMlnU01+UCF/5a9yv2kcvZbRLlzT5TVYI6jZ5dWL/9XQ6kjhkoP2qJ19uKy3NSIr+UljKJZd0P7X5i7UvpUGf+JU7FIpVIBrLElv8p433uzw3BRo1xdlUDmaIuFSsscDvemY6xkv1kAkKkAmalR2kHZwR18pSxmo1DNcX5ZTJIA
        7 5 1 7 3 NEAREST xn6Ba0v74vtU9r3ffBzhhwG/Md5WVS83rmVb2gJ5mMzjGnaOX9mZjx8/IPuPsVgFkMUJ3FPNqjtImVLTUp0G
        7 5 1 7 3 BOX nEdkaVnBntNumYvlaRiurUOwhY1VVS83rmVb2gJ5mMzjGnaOX9mZjx8/K/VplVMJxcJY25yqnIw5g1DpVL87
        7 5 1 7 3 BILINEAR ok5oaVfJp9hqppLkbBi1pzqyeZlVVVI9kmBTxFGGkrjQQXdzfKexk1FPKfVumVMIvcJM25GvnoA7hlDmVLoz
        7 5 1 7 3 HAMMING plRraVXPrtxosJfjbhm7ozO0cKFVVUY7nGJWzDWClL/XM3Z9cbmpkT9JKPZynFQIuMJE24qyn3g8iFDkVLcu
        7 5 1 7 3 BICUBIC pUlpaVfPpNlppI/nahK5qTqwepZUUkw4kmFQxUmNjLvPPHxwe6+xmUpSJ/xvmlMFwcNL4JSsoIQ5hE/oUL4z
        7 5 1 7 3 LANCZOS pkVraVjSn9lloYrqagu8rDqtfZFSUEc0kGFMxEaUhrzNOoFsfLSxnkdVJ/9xm1IEx8VK55iqoog5gEvrSsUz
        13 5 2 4 5 NEAREST cu3X3BtjbbAKNLO8UYyAZA6cNt86AMev2JVf1e0PK0SFHrxX/zzRf2x6U+cQe6otnl7tP7/Nv6qorGFZ
        13 5 2 4 5 BOX XaK3uIFGcnKfdHe5J6yvP249RnBae2Bz33FhyLVKZqKvPHmppE7rZG1IOGxQf3OFVk6bepvP4Y67c5GJ
        13 5 2 4 5 BILINEAR V6SctHdMl4CKXYa6OJqaP29XRmxCanBv0IdjxLxQfIaVR42ml0/NdFtcSXtMcGxwal2sgZvNrom6i5aM
        13 5 2 4 5 HAMMING Vq6nwW9AlHiLYYS8NKKhQ3JQPm5NbGxz1YBkyMdHb4iYQoiipErZgVlQPYdLeG9zaFitg6nKv4K+gZGE
        13 5 2 4 5 BICUBIC TaSfvHhBmICQWIS9N56iP25TQms/cm1w0IRkx8JKfISXQ4uslk7XdltVRH1HdGd2ZlmmgZ/Ss4a7h5uJ
        13 5 2 4 5 LANCZOS RaOfwHg8nIKTUIW8Op6mPWxUQWs4dm5yzYRmyMVIgIGXQIyvlU3adVtURX1DdGZ4ZVqjgp/ZsoS4iJ6I
        9 6 3 4 13 NEAREST eI60L21GcCRMWPx4eI60L21GcCRMWPx4r7Uyk9EjTOnJ/9wBr7Uyk9EjTOnJ/9wBsMdtNtAy3UNrfNYWsMdtNtAy3UNrfNYWhh9RGhYURFsaA+sEhh9RGhYURFsaA+sEhh9RGhYURFsaA+sEpC/8bcTBo525xLvdpC/8bcTBo525xLvdVFTOsvtC2yUoInYGVFTOsvtC2yUoInYG
        9 6 3 4 13 BOX ZqmZPmp8lmKYZvuCZqmZPmp8lmKYZvuCsKVHRnivc3ujmJcrsKVHRnivc3ujmJcrbpWHd8OFgneieXRebpWHd8OFgneieXRecDVQZjdbPj5WUOp+cDVQZjdbPj5WUOp+cDVQZjdbPj5WUOp+zz24aZ9noYyx0LHNzz24aZ9noYyx0LHNPaZnkamjmEcaKURXPaZnkamjmEcaKURX
        9 6 3 4 13 BILINEAR YqqKQW9ydlSZdumVa6aERnV4c16cftWDgJ11UYSFbXakkKRZj5hvXZWMa4emmIBAjaCCa66BdYOXf4JaiqSQdr90fX2IZ4Zye29qaHtea2l6WKN3bDlDWTZIWVVrSL97jEdnYmBfcmWCfLabsFuRbZV7jnictqq+m3KRfqWHjXKFkoiZcomBkaqOgmNdTV9cYZN7mayRfV1MMU5D
        9 6 3 4 13 HAMMING ZaiTO3Nle0iTbvKLZ6iRPHRmekuUcO6HlaBjVo6AZICwl6FBoJ5ZXJWGYI22oI8xi6F6aLl3fXucgIZTgaKLbspwi3KPcIJkeGtqXXxVcV96XKxtbzNISy05V0tkR9V1ijxpVlhQbFx5cciRwE6sbLB/lX2jx63KrFyjd7SBlXWSrJqzVZR6o7yDj1JJMlBNUZd4pbyDj1BFLExI
        9 6 3 4 13 BICUBIC XrGMOWhpekWgc/6baqyDPW9zd1KjfeOEhp9uRn6MbnKtl6dNmJlnVJWYa4etn3sxlaeFbr6JdIedhHZRi6STfMhzeH2LZ4RydWtlbXlYZWF4S6h1aTY8WzFFWEtvQsh4jjpfWlVVb1qHf8eivFiYZJ50j3OkxrLKpHOXfLKKj3CJn4ihbY19ma6ZfmJVRlhUVplypq2geFw/IUIz
        9 6 3 4 13 LANCZOS X7uNOGNjejyjcv+hbbB/OGl1eE6ngumAhZ1oO3WPc22tma1MnJloT5ygcYyqo3ItoK2Ncs6RdJKcj2lPjaWVg8Zxb36GZ4Z2bG1geXVUXF5vO6pyZDY2YjJIVUluPcd0kTJXU0xRb1OQh9SnwFiVXJtwkGupzLzPqX2bfbqSj3GHo4WfdI58nK6lfGlRTVVTUpdnrqOvbmMwFjsk
        20 3 4 3 1 NEAREST z4XNXz4Zl2wk
        20 3 4 3 1 BOX emx2faVKeX9n
        20 3 4 3 1 BILINEAR eXxufplXf4Je
        20 3 4 3 1 HAMMING dnZxe51VgIBf
        20 3 4 3 1 BICUBIC eXdwgJxUfYBf
        20 3 4 3 1 LANCZOS eXZxgp1Se39g
        3 2 5 10 7 NEAREST 3wl43wl43wl4hdFshdFshdFshdFsuHM8uHM8uHM83wl43wl43wl4hdFshdFshdFshdFsuHM8uHM8uHM83wl43wl43wl4hdFshdFshdFshdFsuHM8uHM8uHM83wl43wl43wl4hdFshdFshdFshdFsuHM8uHM8uHM8aB2saB2saB2s/RXp/RXp/RXp/RXpWUbZWUbZWUbZaB2saB2saB2s/RXp/RXp/RXp/RXpWUbZWUbZWUbZaB2saB2saB2s/RXp/RXp/RXp/RXpWUbZWUbZWUbZ
        3 2 5 10 7 BOX 3wl43wl43wl4hdFshdFshdFshdFsuHM8uHM8uHM83wl43wl43wl4hdFshdFshdFshdFsuHM8uHM8uHM83wl43wl43wl4hdFshdFshdFshdFsuHM8uHM8uHM8aB2saB2saB2s/RXp/RXp/RXp/RXpWUbZWUbZWUbZaB2saB2saB2s/RXp/RXp/RXp/RXpWUbZWUbZWUbZaB2saB2saB2s/RXp/RXp/RXp/RXpWUbZWUbZWUbZaB2saB2saB2s/RXp/RXp/RXp/RXpWUbZWUbZWUbZ
        3 2 5 10 7 BILINEAR 3wl43wl4yTt1rndxk7NujcNlnKdWq4tIuHM8uHM83wl43wl4yTt1rndxk7NujcNlnKdWq4tIuHM8uHM8xg2Dxg2DvDSEsWOFpZGGoJ+BoYx0onpopGlepGlepBOSpBOSqyuYtEigvWWnuXCmqGmcl2OTiV2LiV2LgRmhgRmhmiKsty261TjI0UDLrkbEi0u9bVC3bVC3aB2saB2sjRu7uhnO5xbg5BznsyvigjrdWUbZWUbZaB2saB2sjRu7uhnO5xbg5BznsyvigjrdWUbZWUbZ
        3 2 5 10 7 HAMMING 3wl43wl42Bh3qIRxh8xshs9rma1atHpAuHM8uHM83wl43wl42Bh3qIRxh8xshs9rma1atHpAuHM8uHM82Qp72Qp70xh6qX52jcNyjMVym6ZhsHdIs3FEs3FEpBOSpBOSphqUtk6iwHGqwHOqrGufjV6NiV2LiV2LbhypbhypeByuwx7N8x7i8yDivC/cakXSXkjRXkjRaB2saB2scxyxxBjS+RXo+RbpvijjZkLaWUbZWUbZaB2saB2scxyxxBjS+RXo+RbpvijjZkLaWUbZWUbZ
        3 2 5 10 7 BICUBIC +QB07wFy1TRwqoVrgtJjeuVYk8FFsZE0xHYqy2wm7gB45QN2zzJ1q31yisVsg9dilrZQrotAvHI2wmoy0AWAzAiBwS2CsGmEn6KEmLJ8nZttpHxfqGpWqmRSoQ+PoxGSqyaYt0iiwWmqvHaoqW+dlGORh1yKg1qHcRmeehmilB6tvie/4zDP4DnUtELNg0rDZk6+W1C8Ux+mYR6thhm6wxPR+A3n9RTuuyfqeTviUkbeQ0rcSCGqVyCxgBe/xAvY/wDw/gb4vhz1djXuSkLqOkjo
        3 2 5 10 7 LANCZOS /wBv/wBs2TpqppFldeVYav9Eid0vsqUg0ncX5l0P+wB26QB1zjZ1qn9zh8dsfuFckcRJq5Y7wHAyzVsr0AaAyQiCvy6FsmWJopuImrF/m6BwoYBjpmdaqVhTnBGNohCRrSaZukaiwmeqvHmpqXWelWeSh1uKflWEaBuZexigmh6swie74jPM3UDStknLiU3BZ0+5UlG0PSOjWyCtixa8yg3R/Qfo+RD1wCXyfzfpTUbhLk7cICmqRCS2gBLHzgDf/wD8/wD/yAz/eCj/Oz/8FUz4
        64 48 6 23 17 NEAREST 0b20d2e8b4987217e7cd00d0a458fd769b77528178fcb2e89746095963f705e6
        64 48 6 23 17 BOX c4d39c0a4fe5406ecd4a3c0eaf35e99da8231eed9e4674e5902f7b1af85d6e23
        64 48 6 23 17 BILINEAR 20f030dfff5ad4a4ef763c2ad3ef097a1c8c0ea4d50da19d99322cf78bcd994e
        64 48 6 23 17 HAMMING 8543f15cf0e20fba95bc879a371d25876e9b52fbe0135d66c4bb91ea0e951292
        64 48 6 23 17 BICUBIC 67f2ee6d3a4c6aeb9059a8e98a8ce5cfea9fd66dee91d15d3eff29f9b4af6725
        64 48 6 23 17 LANCZOS 19141aaf6ee4030c80fa033a833fee826e3bcaad79093c50fe1272837edd2718
        64 48 6 100 75 NEAREST 2bc4051549cc510e9866e9451263a745ae196ada432bbc40119ea1ba863ef7b7
        64 48 6 100 75 BOX 4f28bafa117e37b75e505ceafdf8f315618924d92952b8de8ce27b5b86ecdc48
        64 48 6 100 75 BILINEAR 1170653a583d49ad6c5e68bdccac7b216fad8bd074421eca123fd7ff75889fa8
        64 48 6 100 75 HAMMING e9977354cc9cfa31a8ce011a0776bb7a7ef7047c1fe248d88730b18c45be57ec
        64 48 6 100 75 BICUBIC a1492fd5d15f5ce3b330329d3f9a930a08d2e293d4d67a9520e95ce14ca0c56b
        64 48 6 100 75 LANCZOS 9547f2fbc23659f430ebf20b999d46bbc981ce06f0a83e1cccfef85e53b28964
        97 31 7 32 64 NEAREST 7c1d478ee2eb9daf73f07300c1384cca0e26a1837cbbcc7d0d99c3678123e28a
        97 31 7 32 64 BOX 9bb329649257e81145bb4c0ea4f2594b5f9fe6f167a95f419d19b34403d8d494
        97 31 7 32 64 BILINEAR 93a2879ff5bc74a2ba2d97f66d47ddba23d922e30d05f179be7b6e9aee73f78b
        97 31 7 32 64 HAMMING 14324a5f5d19484d19c893dda595d21b7611eba4882e1f84680f115d3b8a3400
        97 31 7 32 64 BICUBIC d53e79a8aec1b6d8581591cfc2e1d4898ec9997e90e687f74aa68fb827074c21
        97 31 7 32 64 LANCZOS 7ab5ee10e4d0fe22ca1c06541f0a0d9f6b5e72b96fbb6d4f8782ba9322b3788b
        300 7 8 7 300 NEAREST bc9c66209718f1ecb99016690687e2df1a51465c52dd2dadc9e8bafca8019abb
        300 7 8 7 300 BOX 46f391aeaf7f4dfab98a4c299611cba3486a036c9fec7c52b6252e148bd1dd07
        300 7 8 7 300 BILINEAR e9231e3f8e4d7e8aec88cbe7e0d39ac19d41e3b43ed68f928666ed2fc15ffbd4
        300 7 8 7 300 HAMMING 112bb462022233c0479bd7aa73b34f0516aaf1daad01dc7af95cf9544f68de69
        300 7 8 7 300 BICUBIC 3be7a0a26d0ae2e81170ce0a8a4f9438a9ef7de379a8193dd497e84edf926862
        300 7 8 7 300 LANCZOS 9757b6fc4b481abf66e47afc75e186b054d4dae315669382f053d254477930ef
        """;

    static RgbImage lcg(int w, int h, long seed) {
        byte[] b = new byte[w * h * 3];
        long s = seed;
        for (int i = 0; i < b.length; i++) {
            s = (s * 1103515245L + 12345L) & 0x7fffffffL;
            b[i] = (byte) ((s >> 16) & 0xff);
        }
        return new RgbImage(w, h, b);
    }

    @Test
    void matchesPillowBitForBit() throws NoSuchAlgorithmException {
        int cases = 0;
        List<String> mismatches = new ArrayList<>();
        for (String line : PILLOW_FIXTURES.strip().split("\n")) {
            String[] f = line.strip().split("\\s+");
            RgbImage src = lcg(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Long.parseLong(f[2]));
            int dw = Integer.parseInt(f[3]);
            int dh = Integer.parseInt(f[4]);
            RgbImage out = PilResample.resize(src, dw, dh, Filter.valueOf(f[5]));
            assertEquals(dw, out.width());
            assertEquals(dh, out.height());
            boolean same;
            if (f[6].length() == 64) {
                byte[] digest = MessageDigest.getInstance("SHA-256").digest(out.pixels());
                same = HexFormat.of().formatHex(digest).equals(f[6]);
            } else {
                same = java.util.Arrays.equals(Base64.getDecoder().decode(f[6]), out.pixels());
            }
            if (!same) {
                mismatches.add(line.strip());
            }
            cases++;
        }
        assertEquals(66, cases);
        assertTrue(mismatches.isEmpty(), "differs from Pillow: " + mismatches);
    }

    @Test
    void sameSizeReturnsEqualCopy() {
        RgbImage src = lcg(13, 7, 42);
        for (Filter f : Filter.values()) {
            RgbImage out = PilResample.resize(src, 13, 7, f);
            assertEquals(src, out);
            assertNotSame(src.pixels(), out.pixels());
        }
    }

    @Test
    void constantImageStaysConstant() {
        // Coefficients are normalised to sum 1; in fixed point the sum is off by at most ksize/2
        // units of 2^-22, far too little to move 255 * (sum) + 2^21 across a multiple of 2^22.
        int[][] sizes = {{1, 1}, {3, 2}, {17, 9}, {40, 40}, {64, 5}, {2, 100}, {7, 300}};
        int[][] colors = {{0, 0, 0}, {255, 255, 255}, {1, 128, 254}, {200, 3, 77}};
        for (int[] c : colors) {
            RgbImage src = RgbImage.filled(31, 23, c[0], c[1], c[2]);
            for (Filter f : Filter.values()) {
                for (int[] s : sizes) {
                    RgbImage out = PilResample.resize(src, s[0], s[1], f);
                    assertEquals(RgbImage.filled(s[0], s[1], c[0], c[1], c[2]), out,
                            f + " " + s[0] + "x" + s[1] + " of constant " + c[0] + "," + c[1] + "," + c[2]);
                }
            }
        }
    }

    @Test
    void boxHalvingOfBlockReplicatedImageIsExact() {
        // BOX at scale 2 has support 1: output pixel i averages exactly source pixels 2i and 2i+1
        // with weights 1/2 (2^21 in fixed point, exact), so 2x2 blocks come back unchanged.
        RgbImage small = lcg(9, 6, 7);
        RgbImage blocks = upscaleByReplication(small, 2);
        assertEquals(small, PilResample.resize(blocks, 9, 6, Filter.BOX));
    }

    @Test
    void bilinearHalvingOfColumnBlocksIsOneThreeThreeOne() {
        // BILINEAR at scale 2: support 2, interior output i reads source 2i-1 .. 2i+2 with weights
        // (1, 3, 3, 1) / 8 = 2^19 * (1, 3, 3, 1) in fixed point (exact). On 2-wide column blocks
        // (v[j-1], v[j], v[j], v[j+1]) the result is floor((v[j-1] + 6 v[j] + v[j+1] + 4) / 8);
        // the image is constant along y so the vertical halving changes nothing.
        int n = 12;
        int h = 6;
        int[] v = new int[n];
        RgbImage noise = lcg(n, 1, 3);
        for (int j = 0; j < n; j++) {
            v[j] = noise.r(j, 0);
        }
        byte[] px = new byte[2 * n * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < 2 * n; x++) {
                int o = (y * 2 * n + x) * 3;
                px[o] = px[o + 1] = px[o + 2] = (byte) v[x / 2];
            }
        }
        RgbImage out = PilResample.resize(new RgbImage(2 * n, h, px), n, h / 2, Filter.BILINEAR);
        for (int j = 1; j < n - 1; j++) {
            int expected = (v[j - 1] + 6 * v[j] + v[j + 1] + 4) / 8;
            for (int y = 0; y < h / 2; y++) {
                assertEquals(expected, out.r(j, y), "column " + j);
                assertEquals(expected, out.b(j, y), "column " + j);
            }
        }
    }

    @Test
    void nearestIntegerFactorsPickExactSources() {
        RgbImage src = lcg(10, 6, 11);
        // Upscaling by 2: xo = 0.25 + 0.5 x is exact in binary, so column x reads x / 2.
        assertEquals(upscaleByReplication(src, 2), PilResample.resize(src, 20, 12, Filter.NEAREST));
        // Downscaling by 2: xo = 1 + 2 x, column x reads 2 x + 1.
        RgbImage down = PilResample.resize(src, 5, 3, Filter.NEAREST);
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 5; x++) {
                assertEquals(src.rgb(2 * x + 1, 2 * y + 1), down.rgb(x, y));
            }
        }
    }

    @Test
    void nonNegativeFiltersStayWithinInputRange() {
        // With weights >= 0 summing to 1 (up to far less than half a level), every output lies
        // between the channel's minimum and maximum.
        RgbImage src = lcg(23, 17, 5);
        int[] min = {255, 255, 255};
        int[] max = {0, 0, 0};
        for (int i = 0; i < src.pixels().length; i++) {
            int v = src.pixels()[i] & 0xFF;
            min[i % 3] = Math.min(min[i % 3], v);
            max[i % 3] = Math.max(max[i % 3], v);
        }
        for (Filter f : new Filter[] {Filter.NEAREST, Filter.BOX, Filter.BILINEAR}) {
            for (int[] s : new int[][] {{5, 4}, {40, 31}, {23, 3}, {2, 17}}) {
                byte[] out = PilResample.resize(src, s[0], s[1], f).pixels();
                for (int i = 0; i < out.length; i++) {
                    int v = out[i] & 0xFF;
                    assertTrue(v >= min[i % 3] && v <= max[i % 3], f + " out of range");
                }
            }
        }
    }

    @Test
    void twoPassesEqualTwoSingleAxisResizes() {
        // Pillow resizes horizontally into an 8-bit image and then vertically; doing the two
        // single-axis resizes by hand must give the same bytes.
        RgbImage src = lcg(19, 14, 9);
        for (Filter f : Filter.values()) {
            if (f == Filter.NEAREST) {
                continue;
            }
            RgbImage direct = PilResample.resize(src, 7, 30, f);
            RgbImage viaSteps = PilResample.resize(PilResample.resize(src, 7, 14, f), 7, 30, f);
            assertEquals(viaSteps, direct, f.toString());
        }
    }

    @Test
    void grayStaysGray() {
        RgbImage noise = lcg(15, 9, 21);
        byte[] px = noise.pixels().clone();
        for (int i = 0; i < px.length; i += 3) {
            px[i + 1] = px[i];
            px[i + 2] = px[i];
        }
        for (Filter f : Filter.values()) {
            RgbImage out = PilResample.resize(new RgbImage(15, 9, px), 6, 20, f);
            for (int y = 0; y < out.height(); y++) {
                for (int x = 0; x < out.width(); x++) {
                    assertEquals(out.r(x, y), out.g(x, y));
                    assertEquals(out.r(x, y), out.b(x, y));
                }
            }
        }
    }

    @Test
    void fixedPointHelpers() {
        assertEquals(22, PilResample.PRECISION_BITS);
        assertEquals(0, PilResample.clip8(-1));
        assertEquals(0, PilResample.clip8((1 << 22) - 1));
        assertEquals(1, PilResample.clip8(1 << 22));
        assertEquals(255, PilResample.clip8(300 << 22));
        // rounding half away from zero
        assertArrayEquals(new int[] {1 << 21, -(1 << 21), 1, -1, 0},
                PilResample.normalizeCoeffs8bpc(new double[] {0.5, -0.5, 0.6 / (1 << 22), -0.6 / (1 << 22), 0.4 / (1 << 22)}));
        // BICUBIC downscale by 3: support 6, 13 taps
        PilResample.Coeffs c = PilResample.precomputeCoeffs(30, 0f, 30f, 10, Filter.BICUBIC);
        assertEquals(13, c.ksize());
        double sum = 0;
        for (int x = 0; x < c.bounds()[2 * 5 + 1]; x++) {
            sum += c.kk()[5 * c.ksize() + x];
        }
        assertEquals(1.0, sum, 1e-12);
    }

    @Test
    void rejectsBadSizes() {
        RgbImage src = lcg(4, 4, 1);
        assertThrows(IllegalArgumentException.class, () -> PilResample.resize(src, 0, 4, Filter.BICUBIC));
        assertThrows(IllegalArgumentException.class, () -> PilResample.resize(src, 4, -1, Filter.BICUBIC));
        assertThrows(NullPointerException.class, () -> PilResample.resize(src, 4, 4, null));
    }

    static RgbImage upscaleByReplication(RgbImage src, int k) {
        int w = src.width() * k;
        int h = src.height() * k;
        byte[] px = new byte[w * h * 3];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                System.arraycopy(src.pixels(), src.offset(x / k, y / k), px, (y * w + x) * 3, 3);
            }
        }
        return new RgbImage(w, h, px);
    }
}
